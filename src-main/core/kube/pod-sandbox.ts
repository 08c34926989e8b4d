import type { BridgeLink, LoopbackLink, VethLink } from '../linux/link.ts'
import {
  addAddress,
  addLink,
  addBootRoute,
  enslave,
  learnFromLinkUpFrames,
  type FdbIndex
} from '../linux/ops.ts'
import { linkByName, newNetns, type Netns, type Socket } from '../linux/netns.ts'
import { inheritModuleSysctls } from '../linux/sysctl.ts'
import { cidrHost, cidrSize, parseCidr } from '../net/cidr.ts'
import { ipv4, type Ipv4 } from '../net/ipv4.ts'
import { macFromBytes } from '../net/mac.ts'
import { randomBytes, randomHex, randomInt } from '../net/rng.ts'
import type { ContainerSpec, PodSpec } from '../scenario/scenario.schema.ts'
import { flannelMtu } from './flannel.ts'
import type { Lab } from './lab.ts'
import type { ContainerApp, KubeContainer, KubeEnvVar, KubeNode, KubePod, KubeProcess } from './objects.ts'

/** A container to start: a scenario's, or one of the cluster's own (CoreDNS) that no scenario names. */
export type SandboxContainerSpec = Omit<ContainerSpec, 'app'> & {
  app: ContainerApp
  /** A manifest's `env`, in its order. */
  env?: KubeEnvVar[]
}
export type SandboxPodSpec = Omit<PodSpec, 'containers'> & { containers: SandboxContainerSpec[] }

/** What CoreDNS listens on: DNS over UDP and TCP, metrics, the health and ready probes. */
const COREDNS_LISTENS: readonly (readonly ['udp' | 'tcp', number])[] = [
  ['udp', 53],
  ['tcp', 53],
  ['tcp', 9153],
  ['tcp', 8080],
  ['tcp', 8181]
]

/** The commands `ps` shows for each app (what `podnet export-lab` runs for real). */
export const APP_COMMANDS: Record<KubeContainer['app'], (port: number | undefined) => string> = {
  http: (port) => `python3 -m http.server ${port ?? ''}`.trim(),
  'tcp-echo': (port) => `socat TCP-LISTEN:${port ?? 0},fork,reuseaddr EXEC:cat`,
  'udp-echo': (port) => `socat UDP-RECVFROM:${port ?? 0},fork EXEC:cat`,
  sleep: () => 'sleep infinity',
  coredns: () => '/coredns -conf /etc/coredns/Corefile'
}

export function uuid(lab: Lab): string {
  // Version 4, variant 10xx: the two digits are put in by slicing around them, as every pod
  // makes one and splitting the text into characters to set them was a steady share of a build.
  const h = randomHex(lab.rng, 32)
  const variant = ((parseInt(h[16]!, 16) & 3) | 8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`
}

export function newLoopback(ns: Netns): void {
  const lo = addLink<LoopbackLink>(ns, {
    kind: 'loopback',
    name: 'lo',
    mtu: 65536,
    mac: '00:00:00:00:00:00',
    up: true
  })
  addAddress(ns, lo.ifindex, ipv4('127.0.0.1'), 8, 'host')
}

/** The bridge plugin makes cni0 at the node's first pod ADD and gives it the gateway .1. */
function ensureCni0(lab: Lab, node: KubeNode, ns: Netns): BridgeLink {
  const existing = linkByName(ns, 'cni0')
  if (existing) return existing as BridgeLink
  const br = addLink<BridgeLink>(ns, {
    kind: 'bridge',
    name: 'cni0',
    mtu: flannelMtu(lab),
    mac: macFromBytes(randomBytes(lab.rng, 6)),
    up: true,
    fdb: [],
    ageingTime: 300,
    nextPortNo: 1
  })
  br.fdb.push({ mac: br.mac, port: br.ifindex, permanent: true, local: true, updatedAt: lab.clock.nowMs })
  addAddress(ns, br.ifindex, cidrHost(node.podCIDR, 1), node.podCIDR.prefixLen)
  return br
}

/**
 * What a caller that creates many pods in a row (a lab build) keeps between them: pod IPs in use
 * per node, so that finding a free address does not scan every pod of the cluster for every new
 * pod, and the nodes' bridge FDBs by MAC.
 */
export interface PodBatch {
  ips: Map<string, Set<Ipv4>>
  fdb: FdbIndex
}

/** host-local: the next free address after the last one handed out, wrapping, skipping .0/.1/broadcast. */
function allocatePodIp(lab: Lab, node: KubeNode, index: PodBatch['ips'] | undefined): Ipv4 {
  const size = cidrSize(node.podCIDR)
  const used = index?.get(node.name)
  for (let tries = 0; tries < size; tries++) {
    let host = node.nextPodHost
    if (host >= size - 1) host = 2
    node.nextPodHost = host + 1
    const ip = cidrHost(node.podCIDR, host)
    if (index ? !used?.has(ip) : !lab.pods.some((p) => p.ip === ip && p.node === node.name)) return ip
  }
  throw new Error(`no free address in ${node.name}'s podCIDR`)
}

function newProcess(node: KubeNode, pid: number, command: string, container: string): KubeProcess {
  return { pid, hostPid: node.nextPid++, user: 'root', command, container }
}

/**
 * RunPodSandbox + CNI ADD + container starts: the pod netns with lo and eth0, one veth pair
 * whose host end joins cni0 with hairpin on, host-local's address and routes, then the
 * containers (a second one binding a taken port crash-loops).
 */
export function createPod(lab: Lab, spec: SandboxPodSpec, batch?: PodBatch): KubePod {
  const node = lab.nodes.find((n) => n.name === spec.node)!
  const nodeNs = lab.netns.get(node.netns)!
  const uid = uuid(lab)
  let ip: Ipv4 = node.ip
  let netnsId = node.netns
  let hostVeth: string | undefined
  if (!spec.hostNetwork) {
    ip = spec.ip !== undefined ? ipv4(spec.ip) : allocatePodIp(lab, node, batch?.ips)
    const ns = newNetns(spec.name, 'pod')
    inheritModuleSysctls(ns, nodeNs)
    lab.netns.set(ns.id, ns)
    ns.ipIdNext = randomInt(lab.rng, 1, 65535)
    netnsId = ns.id
    newLoopback(ns)
    const br = ensureCni0(lab, node, nodeNs)
    const mtu = flannelMtu(lab)
    hostVeth = `veth${randomHex(lab.rng, 8)}`
    const eth0 = addLink<VethLink>(ns, {
      kind: 'veth',
      name: 'eth0',
      mtu,
      mac: macFromBytes(randomBytes(lab.rng, 6)),
      up: true,
      peer: { netns: node.netns, ifindex: nodeNs.nextIfindex }
    })
    const host = addLink<VethLink>(nodeNs, {
      kind: 'veth',
      name: hostVeth,
      mtu,
      mac: macFromBytes(randomBytes(lab.rng, 6)),
      up: true,
      peer: { netns: ns.id, ifindex: eth0.ifindex }
    })
    enslave(host, br, lab.clock.nowMs)
    host.brport!.hairpin = true
    learnFromLinkUpFrames(lab.netns, ns, eth0, lab.clock.nowMs, batch?.fdb)
    addAddress(ns, eth0.ifindex, ip, node.podCIDR.prefixLen)
    const gw = cidrHost(node.podCIDR, 1)
    addBootRoute(ns, parseCidr('0.0.0.0/0')!, gw, eth0.ifindex)
    const net = parseCidr(lab.scenario.cluster.podCIDR)!
    if (net.prefixLen < node.podCIDR.prefixLen) {
      addBootRoute(ns, net, gw, eth0.ifindex)
    }
  }
  const netns = lab.netns.get(netnsId)!
  const shimPid = node.nextPid++
  const pause = newProcess(node, 1, '/pause', 'POD')
  const containers: KubeContainer[] = []
  spec.containers.forEach((c, i) => {
    const pid = spec.shareProcessNamespace ? i + 2 : 1
    const container: KubeContainer = {
      name: c.name,
      image: c.image ?? defaultImage(c.app),
      app: c.app,
      ...(c.port === undefined ? {} : { port: c.port }),
      ...(c.portName === undefined ? {} : { portName: c.portName }),
      ...(c.hostPort === undefined ? {} : { hostPort: c.hostPort }),
      ...(c.env === undefined ? {} : { env: c.env.map((e) => ({ ...e })) }),
      id: randomHex(lab.rng, 64),
      state: 'Running',
      restartCount: 0,
      logs: [],
      process: newProcess(node, pid, APP_COMMANDS[c.app](c.port), c.name)
    }
    if (c.app === 'coredns')
      for (const [proto, port] of COREDNS_LISTENS)
        netns.sockets.push({
          proto,
          addr: 0,
          port,
          pid: container.process.hostPid,
          processName: 'coredns',
          app: 'coredns',
          reply: spec.name
        })
    else if (c.app !== 'sleep' && c.port !== undefined) {
      const proto = c.app === 'udp-echo' ? 'udp' : 'tcp'
      const taken = netns.sockets.some((s) => s.proto === proto && s.port === c.port)
      if (taken) {
        container.state = 'CrashLoopBackOff'
        container.restartCount = 5
        container.logs = ['OSError: [Errno 98] Address already in use']
      } else {
        const socket: Socket = {
          proto,
          addr: 0,
          port: c.port,
          pid: container.process.hostPid,
          processName: c.app === 'http' ? 'python3' : 'socat',
          app: c.app,
          reply: spec.name
        }
        netns.sockets.push(socket)
        if (c.app === 'http')
          container.logs = [`Serving HTTP on 0.0.0.0 port ${c.port} (http://0.0.0.0:${c.port}/) ...`]
      }
    }
    containers.push(container)
  })
  const pod: KubePod = {
    name: spec.name,
    namespace: spec.namespace,
    node: node.name,
    uid,
    labels: { ...spec.labels },
    ip,
    netns: netnsId,
    netnsName: `cni-${uid}`,
    hostNetwork: spec.hostNetwork,
    shareProcessNamespace: spec.shareProcessNamespace,
    sandboxId: randomHex(lab.rng, 64),
    shimPid,
    pause,
    ...(hostVeth === undefined ? {} : { hostVeth }),
    containers,
    createdAt: lab.clock.nowMs,
    ready: containers.every((c) => c.state === 'Running')
  }
  lab.pods.push(pod)
  if (batch) {
    const used = batch.ips.get(node.name)
    if (used) used.add(ip)
    else batch.ips.set(node.name, new Set([ip]))
  }
  return pod
}

export function defaultImage(app: KubeContainer['app']): string {
  return app === 'sleep' ? 'podnet/debug' : `podnet/${app}`
}

/** CNI DEL + sandbox removal: the pod's netns and its host veth (and what cni0 learned through it) go away. */
export function removePodSandbox(lab: Lab, pod: KubePod): void {
  lab.pods = lab.pods.filter((p) => p !== pod)
  if (pod.hostNetwork) return
  lab.netns.delete(pod.netns)
  const nodeNs = lab.netns.get(lab.nodes.find((n) => n.name === pod.node)!.netns)!
  const veth = pod.hostVeth === undefined ? undefined : linkByName(nodeNs, pod.hostVeth)
  if (!veth) return
  const br = linkByName(nodeNs, 'cni0') as BridgeLink | undefined
  if (br) br.fdb = br.fdb.filter((e) => e.port !== veth.ifindex)
  nodeNs.links = nodeNs.links.filter((l) => l !== veth)
  if (br) nodeNs.neighbours = nodeNs.neighbours.filter((n) => !(n.ifindex === br.ifindex && n.ip === pod.ip))
  for (const ns of lab.netns.values()) ns.peerNsids.delete(pod.netns)
}
