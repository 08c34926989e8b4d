import { z } from 'zod'
import { endpointsOf } from '../core/kube/endpoints.ts'
import type { Lab } from '../core/kube/lab.ts'
import type { Netns } from '../core/linux/netns.ts'
import { formatCidr } from '../core/net/cidr.ts'
import { formatIpv4 } from '../core/net/ipv4.ts'
import { promptFor } from '../core/shell/shell.ts'
import { podTarget } from '../core/shell/targets.ts'

/**
 * The cluster as the topology view draws it: devices that exist (links, with their live state)
 * and Services, which exist only as rules — they have no device, and the view shows that.
 * Every element carries its stable object id (`node-1/cni0`), shared with traces and hotspots.
 */

const deviceSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['loopback', 'ether', 'veth', 'bridge', 'vxlan', 'dummy']),
  up: z.boolean(),
  mtu: z.number(),
  mac: z.string(),
  addresses: z.array(z.string()),
  /** Bridge the device is a port of. */
  master: z.string().optional(),
  /** The other end of a veth pair, as an object id. */
  peer: z.string().optional()
})

/** `prompt` is what a terminal into the container shows, which depends on the image's shell. */
const containerSchema = z.strictObject({
  name: z.string(),
  app: z.string(),
  image: z.string(),
  state: z.string(),
  prompt: z.string()
})

const podSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  namespace: z.string(),
  ip: z.string(),
  hostNetwork: z.boolean(),
  /** The sandbox: it holds the namespaces; it has no interface of its own. */
  pause: z.strictObject({ pid: z.number() }),
  containers: z.array(containerSchema),
  devices: z.array(deviceSchema)
})

export const topologySchema = z.strictObject({
  nodes: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      ip: z.string(),
      podCIDR: z.string(),
      devices: z.array(deviceSchema),
      pods: z.array(podSchema)
    })
  ),
  services: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      namespace: z.string(),
      type: z.string(),
      clusterIP: z.string(),
      ports: z.array(
        z.strictObject({
          port: z.number(),
          targetPort: z.union([z.number(), z.string()]),
          protocol: z.string(),
          nodePort: z.number().optional()
        })
      ),
      endpoints: z.array(z.strictObject({ pod: z.string(), ip: z.string(), port: z.number() }))
    })
  ),
  externalHosts: z.array(
    z.strictObject({ id: z.string(), name: z.string(), ip: z.string(), devices: z.array(deviceSchema) })
  ),
  underlay: z.strictObject({ cidr: z.string(), gateway: z.string().nullable() })
})
export type Topology = z.output<typeof topologySchema>

type DeviceView = Topology['nodes'][number]['devices'][number]

function devicesOf(lab: Lab, ns: Netns): DeviceView[] {
  const nameIn = (netns: string, ifindex: number): string =>
    lab.netns.get(netns)?.links.find((l) => l.ifindex === ifindex)?.name ?? `if${ifindex}`
  return ns.links.map((link) => {
    const addresses = ns.addresses
      .filter((a) => a.ifindex === link.ifindex)
      .map((a) => `${formatIpv4(a.address)}/${a.prefixLen}`)
    const device: DeviceView = {
      id: `${ns.id}/${link.name}`,
      name: link.name,
      kind: link.kind,
      up: link.up,
      mtu: link.mtu,
      mac: link.mac,
      addresses
    }
    if (link.master !== undefined) device.master = `${ns.id}/${nameIn(ns.id, link.master)}`
    if (link.kind === 'veth') device.peer = `${link.peer.netns}/${nameIn(link.peer.netns, link.peer.ifindex)}`
    return device
  })
}

export function topologyOf(lab: Lab): Topology {
  const devices = (netnsId: string): DeviceView[] => {
    const ns = lab.netns.get(netnsId)
    return ns ? devicesOf(lab, ns) : []
  }
  return {
    nodes: lab.nodes.map((node) => ({
      id: node.name,
      name: node.name,
      ip: formatIpv4(node.ip),
      podCIDR: formatCidr(node.podCIDR),
      devices: devices(node.netns),
      pods: lab.pods
        .filter((pod) => pod.node === node.name)
        .map((pod) => ({
          id: pod.name,
          name: pod.name,
          namespace: pod.namespace,
          ip: formatIpv4(pod.ip),
          hostNetwork: pod.hostNetwork,
          pause: { pid: pod.pause.hostPid },
          containers: pod.containers.map((c) => ({
            name: c.name,
            app: c.app,
            image: c.image,
            state: c.state,
            prompt: promptFor(podTarget(pod, c.name))
          })),
          devices: pod.hostNetwork ? [] : devices(pod.netns)
        }))
    })),
    services: lab.services
      .filter((svc) => !svc.fixedEndpoints)
      .map((svc) => ({
        id: `svc/${svc.namespace}/${svc.name}`,
        name: svc.name,
        namespace: svc.namespace,
        type: svc.type,
        clusterIP: formatIpv4(svc.clusterIP),
        ports: svc.ports.map((p) => ({
          port: p.port,
          targetPort: p.targetPort,
          protocol: p.protocol,
          ...(p.nodePort === undefined ? {} : { nodePort: p.nodePort })
        })),
        endpoints: svc.ports.flatMap((p) =>
          endpointsOf(lab, svc, p).map((ep) => ({ pod: ep.pod, ip: formatIpv4(ep.ip), port: ep.port }))
        )
      })),
    externalHosts: lab.externalHosts.map((host) => ({
      id: host.name,
      name: host.name,
      ip: formatIpv4(host.ip),
      devices: devices(host.netns)
    })),
    underlay: {
      cidr: lab.scenario.cluster.underlayCIDR,
      gateway: lab.gateway ? formatIpv4(lab.gateway.ip) : null
    }
  }
}
