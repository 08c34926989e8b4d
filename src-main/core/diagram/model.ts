import { describeRoute } from '../engine/walk.ts'
import { endpointsOf } from '../kube/endpoints.ts'
import type { Lab } from '../kube/lab.ts'
import type { KubeNode, KubeService } from '../kube/objects.ts'
import { proxyModeOf } from '../kube/proxy-mode.ts'
import { underlayLinkOf } from '../kube/flannel.ts'
import type { Link, VxlanLink } from '../linux/link.ts'
import { linkByIndex, linkByName, type Netns } from '../linux/netns.ts'
import { cidrContains, cidrEquals, formatCidr, parseCidr } from '../net/cidr.ts'
import { formatIpv4, parseIpv4 } from '../net/ipv4.ts'
import { UNDERLAY_SEGMENT } from '../scenario/build-lab.ts'

/**
 * The cluster as a network drawing: every device a packet can be on, the wires between them and
 * the boxes (groups) they sit in, all derived from the live lab — nothing is hand-placed, so a
 * learner's `ip link set cni0 down` or `bridge fdb del` shows up as a down device or a broken
 * tunnel the next time the model is read. The renderer only lays it out; `placeHop` puts every
 * kernel hop of a trace on one of its devices or wires.
 *
 * Ids (unique across groups, devices and wires, stable for a given lab):
 * - devices that are links keep their path id: `node-1/cni0`, `node-1/flannel.1`, `node-1/eth0`,
 *   `node-1/veth1a2b3c4d`, `client/eth0` (the same ids trace hops, hotspots and `lab:inspect` use);
 * - every network namespace has one *stack* device whose id is the namespace id (`node-1`,
 *   `client`, `laptop`, `gateway`): the kernel's routing table, netfilter, conntrack and sockets.
 *   A node's stack is the "routing" box traffic between cni0, flannel.1 and eth0 passes through
 *   (routing is a device with route wires, not a wire of its own: the hops that decide there —
 *   FIB lookups, every netfilter hook, IPVS — need a place to be);
 * - the underlay switch is `switch:<segment>`; groups are `node:<name>`, `pod:<name>`,
 *   `external:<name>` and `segment:<segment>`; wires are `<kind>:<key>` (below).
 * Loopback and dummy links (kube-ipvs0) are not drawn: what happens on them happens in the stack.
 */

/** What a device is, for its glyph. */
export type DeviceKind =
  /** A pod's own stack: its processes, sockets and routing table (the pod box). */
  | 'pod'
  /** The pod's eth0: its end of the veth pair. */
  | 'pod-nic'
  /** The node's end of a pod's veth pair, a port of the bridge. */
  | 'veth-host'
  /** cni0. */
  | 'bridge'
  /** flannel.1, the VXLAN tunnel endpoint. */
  | 'vtep'
  /** A physical NIC on the underlay (a node's or an external host's eth0, the gateway's). */
  | 'nic'
  /** A node's stack: routing, netfilter (kube-proxy's rules), conntrack, ip_forward. */
  | 'routing'
  /** The underlay's gateway router. */
  | 'router'
  /** An external host's stack. */
  | 'host'
  /** The underlay L2 segment, the switch every underlay NIC plugs into. */
  | 'segment'

export interface DiagramDevice {
  id: string
  kind: DeviceKind
  /** Interface name, or the owner's name for stacks. */
  label: string
  /** The group the device is drawn in. */
  group: string
  /** Administrative state (`ip link set … up|down`); stacks and the segment are always up. */
  up: boolean
  /** `address/prefix` as `ip addr` prints it; a stack lists every address of its namespace. */
  addresses: string[]
  mac?: string
  mtu?: number
  /** veth ends: the other end's device id. */
  peer?: string
  /** Stacks: net.ipv4.ip_forward. */
  ipForward?: boolean
  /** Node stacks: net.bridge.bridge-nf-call-iptables (bridged frames pass iptables). */
  bridgeNfCallIptables?: boolean
}

export type DiagramGroup =
  | { id: string; kind: 'node'; label: string; ip: string; podCIDR: string }
  | {
      id: string
      kind: 'pod'
      label: string
      /** The node group the pod box sits in. */
      parent: string
      namespace: string
      ip: string
      /** hostNetwork pods have no devices of their own: their traffic is the node's. */
      hostNetwork: boolean
    }
  | { id: string; kind: 'segment'; label: string; cidr: string; gateway?: string }
  | { id: string; kind: 'external'; label: string; ip: string }

/** What one end of a tunnel or direct route has programmed toward the other end. */
export interface TunnelProgramming {
  /** `<peer podCIDR> via <peer X.0> dev flannel.1 onlink`. */
  route: boolean
  /** PERMANENT neighbour `<peer X.0> lladdr <peer VTEP MAC>` on flannel.1. */
  neigh: boolean
  /** VXLAN FDB `<peer VTEP MAC> dst <peer node IP>` on flannel.1. */
  fdb: boolean
}

interface WireBase {
  id: string
  /** Device ids of the two ends. */
  a: string
  b: string
  /** Both ends up (and, for tunnels and direct routes, the underlay under them). */
  up: boolean
}

export type DiagramWire =
  /** Pod eth0 ↔ host veth. Id `veth:<pod>/eth0`. */
  | (WireBase & { kind: 'veth' })
  /** Host veth → the bridge it is a port of. Id `bridge-port:<node>/<veth>`. */
  | (WireBase & { kind: 'bridge-port'; hairpin: boolean })
  /**
   * A stack ↔ one of its devices that is not a bridge port (cni0, flannel.1, eth0; a pod's eth0).
   * `routes` are the main-table routes out of that device, as `ip route` prints them. Id
   * `route:<device id>`.
   */
  | (WireBase & { kind: 'route'; routes: string[] })
  /** A NIC ↔ the underlay switch. Id `underlay:<nic id>`. */
  | (WireBase & { kind: 'underlay' })
  /**
   * flannel.1 ↔ a remote flannel.1: the VXLAN tunnel, riding the underlay wires in `rides`.
   * `fromA`/`fromB`: what each end programmed toward the other. Id `vxlan-tunnel:<a>~<b>`.
   */
  | (WireBase & {
      kind: 'vxlan-tunnel'
      vni: number
      port: number
      rides: string[]
      fromA: TunnelProgramming
      fromB: TunnelProgramming
    })
  /**
   * host-gw (or VXLAN with DirectRouting): node eth0 ↔ node eth0, each routing the other's podCIDR
   * via the other's underlay IP. Id `direct-route:<a>~<b>`.
   */
  | (WireBase & {
      kind: 'direct-route'
      rides: string[]
      fromA: { route: boolean }
      fromB: { route: boolean }
    })

/** A Service: not a device — rules on every node. The UI badges it on each node in `programmedOn`. */
export interface DiagramService {
  id: string
  name: string
  namespace: string
  type: 'ClusterIP' | 'NodePort'
  clusterIP: string
  ports: {
    name?: string
    port: number
    targetPort: number | string
    protocol: 'TCP' | 'UDP'
    nodePort?: number
  }[]
  endpoints: { pod: string; node: string; ip: string; port: number }[]
  externalTrafficPolicy: 'Cluster' | 'Local'
  proxyMode: 'iptables' | 'ipvs' | 'nftables'
  /** Nodes whose kube-proxy rules (iptables, nftables or IPVS) currently hold the ClusterIP. */
  programmedOn: string[]
}

export interface DiagramModel {
  cluster: {
    cni: 'vxlan' | 'host-gw' | 'none'
    directRouting: boolean
    proxyMode: 'iptables' | 'ipvs' | 'nftables'
    /** Each node's kube-proxy mode: the cluster's unless the scenario gives a node its own. */
    nodeProxyModes: Record<string, 'iptables' | 'ipvs' | 'nftables'>
    podCIDR: string
    serviceCIDR: string
  }
  groups: DiagramGroup[]
  devices: DiagramDevice[]
  wires: DiagramWire[]
  services: DiagramService[]
}

/** Orders `node-2` before `node-10`: runs of digits compare as numbers. Locale-free, so deterministic. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g
  const pa = a.match(re) ?? []
  const pb = b.match(re) ?? []
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!
    const y = pb[i]!
    if (x === y) continue
    const nx = /^\d/.test(x) && /^\d/.test(y)
    if (nx && Number(x) !== Number(y)) return Number(x) - Number(y)
    return x < y ? -1 : 1
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0)
}

const byName = <T extends { name: string }>(xs: readonly T[]): T[] =>
  [...xs].sort((x, y) => naturalCompare(x.name, y.name))

/** Links the drawing shows; loopback and dummy links belong to the stack. */
function drawn(link: Link): boolean {
  return link.kind !== 'loopback' && link.kind !== 'dummy'
}

function drawnIndex(ns: Netns, ifindex: number): boolean {
  const link = linkByIndex(ns, ifindex)
  return link !== undefined && drawn(link)
}

/** A link's addresses, or (without one) the addresses of every drawn link: kube-ipvs0's ClusterIPs are not the stack's. */
function addressesOf(ns: Netns, link?: Link): string[] {
  const out: string[] = []
  for (const a of ns.addresses) {
    if (link ? a.ifindex !== link.ifindex : !drawnIndex(ns, a.ifindex)) continue
    out.push(`${formatIpv4(a.address)}/${a.prefixLen}`)
  }
  return out
}

function linkDevice(ns: Netns, link: Link, kind: DeviceKind, group: string): DiagramDevice {
  return {
    id: `${ns.id}/${link.name}`,
    kind,
    label: link.name,
    group,
    up: link.up,
    addresses: addressesOf(ns, link),
    mac: link.mac,
    mtu: link.mtu
  }
}

function stackDevice(ns: Netns, kind: DeviceKind, label: string, group: string): DiagramDevice {
  const d: DiagramDevice = {
    id: ns.id,
    kind,
    label,
    group,
    up: true,
    addresses: addressesOf(ns),
    ipForward: ns.sysctl['net.ipv4.ip_forward'] === '1'
  }
  if (kind === 'routing') d.bridgeNfCallIptables = ns.sysctl['net.bridge.bridge-nf-call-iptables'] === '1'
  return d
}

/** The order a namespace's drawn links are listed in. */
const LINK_RANK: readonly DeviceKind[] = ['nic', 'vtep', 'bridge', 'pod-nic', 'veth-host']

function deviceKindOf(nsKind: Netns['kind'], link: Link): DeviceKind {
  switch (link.kind) {
    case 'veth':
      return nsKind === 'pod' ? 'pod-nic' : 'veth-host'
    case 'bridge':
      return 'bridge'
    case 'vxlan':
      return 'vtep'
    default:
      return 'nic'
  }
}

/** The ClusterIPs each node's kube-proxy rules (iptables, nftables or IPVS) hold right now. */
function programmedIps(lab: Lab, nodes: readonly KubeNode[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>()
  for (const node of nodes) {
    const ips = new Set<number>()
    out.set(node.name, ips)
    const ns = lab.netns.get(node.netns)
    if (!ns) continue
    if (proxyModeOf(lab, node) === 'ipvs') for (const s of ns.ipvs) ips.add(s.vip)
    else if (proxyModeOf(lab, node) === 'nftables') {
      // Map keys read `10.96.0.100 . tcp . 80` (Services with and without endpoints alike).
      for (const m of ns.nft?.maps ?? [])
        for (const e of m.elements) {
          const ip = parseIpv4(e.key.slice(0, e.key.indexOf(' ')))
          if (ip !== undefined) ips.add(ip)
        }
    } else {
      // `-d <ClusterIP>/32` in nat KUBE-SERVICES, or filter KUBE-SERVICES' REJECT without endpoints.
      for (const table of ['nat', 'filter'] as const)
        for (const r of ns.netfilter[table].chains.get('KUBE-SERVICES')?.rules ?? [])
          if (r.dst && !r.dst.neg && r.dst.value.prefixLen === 32) ips.add(r.dst.value.network)
    }
  }
  return out
}

function serviceOf(lab: Lab, svc: KubeService, programmed: Map<string, Set<number>>): DiagramService {
  const seen = new Set<string>()
  const endpoints: DiagramService['endpoints'] = []
  for (const port of svc.ports) {
    for (const ep of endpointsOf(lab, svc, port)) {
      const key = `${formatIpv4(ep.ip)}:${ep.port}`
      if (seen.has(key)) continue
      seen.add(key)
      endpoints.push({ pod: ep.pod, node: ep.node, ip: formatIpv4(ep.ip), port: ep.port })
    }
  }
  return {
    id: `svc/${svc.namespace}/${svc.name}`,
    name: svc.name,
    namespace: svc.namespace,
    type: svc.type,
    clusterIP: formatIpv4(svc.clusterIP),
    ports: svc.ports.map((p) => ({
      ...(p.name === undefined ? {} : { name: p.name }),
      port: p.port,
      targetPort: p.targetPort,
      protocol: p.protocol,
      ...(p.nodePort === undefined ? {} : { nodePort: p.nodePort })
    })),
    endpoints,
    externalTrafficPolicy: svc.externalTrafficPolicy,
    proxyMode: lab.scenario.cluster.kubeProxy.mode,
    programmedOn: [...programmed].filter(([, ips]) => ips.has(svc.clusterIP)).map(([node]) => node)
  }
}

/** The cluster's drawing, derived from the lab as it is now. Deterministic: same lab, same JSON. */
export function diagramOf(lab: Lab): DiagramModel {
  const groups: DiagramGroup[] = []
  const devices: DiagramDevice[] = []
  const wires: DiagramWire[] = []
  const modelled = new Set<string>()
  /** Namespaces in the order their devices were added: wires follow the same order. */
  const namespaces: Netns[] = []
  const nodes = byName(lab.nodes)
  const cni = lab.scenario.cluster.cni

  /** Devices of one namespace's links (in rank order) and its stack, into `group`. */
  const addNetns = (ns: Netns, stackKind: DeviceKind, label: string, group: string): void => {
    devices.push(stackDevice(ns, stackKind, label, group))
    modelled.add(ns.id)
    namespaces.push(ns)
    // A node's veths are added beside their pods, not here.
    const links = ns.links
      .filter((l) => drawn(l) && !(ns.kind !== 'pod' && l.kind === 'veth'))
      .sort(
        (x, y) =>
          LINK_RANK.indexOf(deviceKindOf(ns.kind, x)) - LINK_RANK.indexOf(deviceKindOf(ns.kind, y)) ||
          naturalCompare(x.name, y.name)
      )
    for (const link of links) {
      devices.push(linkDevice(ns, link, deviceKindOf(ns.kind, link), group))
      modelled.add(`${ns.id}/${link.name}`)
    }
  }

  for (const node of nodes) {
    const ns = lab.netns.get(node.netns)
    if (!ns) continue
    const nodeGroup = `node:${node.name}`
    groups.push({
      id: nodeGroup,
      kind: 'node',
      label: node.name,
      ip: formatIpv4(node.ip),
      podCIDR: formatCidr(node.podCIDR)
    })
    addNetns(ns, 'routing', node.name, nodeGroup)
    const pods = byName(lab.pods.filter((p) => p.node === node.name))
    for (const pod of pods) {
      const podGroup = `pod:${pod.name}`
      groups.push({
        id: podGroup,
        kind: 'pod',
        label: pod.name,
        parent: nodeGroup,
        namespace: pod.namespace,
        ip: formatIpv4(pod.ip),
        hostNetwork: pod.hostNetwork
      })
      if (pod.hostNetwork) continue
      const podNs = lab.netns.get(pod.netns)
      if (!podNs) continue
      // The node end of this pod's veth pair, drawn in the node, beside the pod.
      const hostVeth = pod.hostVeth === undefined ? undefined : linkByName(ns, pod.hostVeth)
      if (hostVeth && hostVeth.kind === 'veth') {
        devices.push(linkDevice(ns, hostVeth, 'veth-host', nodeGroup))
        modelled.add(`${ns.id}/${hostVeth.name}`)
      }
      addNetns(podNs, 'pod', pod.name, podGroup)
    }
    // veths of the node that no pod claims (a learner's, or a pod being replaced): still drawn.
    for (const link of ns.links) {
      const id = `${ns.id}/${link.name}`
      if (link.kind === 'veth' && !modelled.has(id)) {
        devices.push(linkDevice(ns, link, 'veth-host', nodeGroup))
        modelled.add(id)
      }
    }
  }

  for (const seg of [...lab.segments.values()].sort((x, y) => naturalCompare(x.id, y.id))) {
    const group = `segment:${seg.id}`
    groups.push({
      id: group,
      kind: 'segment',
      label: seg.id,
      cidr: formatCidr(seg.cidr),
      ...(lab.gateway ? { gateway: formatIpv4(lab.gateway.ip) } : {})
    })
    devices.push({ id: `switch:${seg.id}`, kind: 'segment', label: seg.id, group, up: true, addresses: [] })
    modelled.add(`switch:${seg.id}`)
    // The gateway also joins the internet segment when there is one; it is drawn once, on the underlay's.
    if (lab.gateway && seg.id === UNDERLAY_SEGMENT) {
      const gw = lab.netns.get(lab.gateway.netns)
      if (gw) addNetns(gw, 'router', gw.id, group)
    }
  }

  for (const host of byName(lab.externalHosts)) {
    const ns = lab.netns.get(host.netns)
    if (!ns) continue
    const group = `external:${host.name}`
    groups.push({ id: group, kind: 'external', label: host.name, ip: formatIpv4(host.ip) })
    addNetns(ns, 'host', host.name, group)
  }

  // Wires, namespace by namespace in the order the devices were added.
  const byId = new Map(devices.map((d) => [d.id, d]))
  for (const ns of namespaces) {
    for (const link of ns.links) {
      const id = `${ns.id}/${link.name}`
      if (!modelled.has(id)) continue
      if (link.kind === 'veth' && ns.kind === 'pod') {
        const peerNs = lab.netns.get(link.peer.netns)
        const peer = peerNs ? linkByIndex(peerNs, link.peer.ifindex) : undefined
        const peerId = peer && peerNs ? `${peerNs.id}/${peer.name}` : undefined
        if (peer && peerId && modelled.has(peerId)) {
          wires.push({ id: `veth:${id}`, kind: 'veth', a: id, b: peerId, up: link.up && peer.up })
          const d = byId.get(id)
          const p = byId.get(peerId)
          if (d) d.peer = peerId
          if (p) p.peer = id
        }
      }
      if (link.master !== undefined) {
        const br = linkByIndex(ns, link.master)
        if (br && modelled.has(`${ns.id}/${br.name}`))
          wires.push({
            id: `bridge-port:${id}`,
            kind: 'bridge-port',
            a: id,
            b: `${ns.id}/${br.name}`,
            up: link.up && br.up,
            hairpin: link.brport?.hairpin === true
          })
        continue
      }
      const routes = ns.routes
        .filter((r) => r.table === 'main' && r.dev === link.ifindex)
        .map((r) => describeRoute(ns, r))
      wires.push({ id: `route:${id}`, kind: 'route', a: ns.id, b: id, up: link.up, routes })
    }
  }
  for (const seg of [...lab.segments.values()].sort((x, y) => naturalCompare(x.id, y.id))) {
    for (const port of seg.ports) {
      const ns = lab.netns.get(port.netns)
      const link = ns ? linkByIndex(ns, port.ifindex) : undefined
      if (!ns || !link) continue
      const id = `${ns.id}/${link.name}`
      if (!modelled.has(id)) continue
      wires.push({ id: `underlay:${id}`, kind: 'underlay', a: id, b: `switch:${seg.id}`, up: link.up })
    }
  }
  // The overlay: one tunnel (or direct route) per pair of nodes, in node order.
  const underlay = parseCidr(lab.scenario.cluster.underlayCIDR)
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const A = nodes[i]!
      const B = nodes[j]!
      const nsA = lab.netns.get(A.netns)
      const nsB = lab.netns.get(B.netns)
      if (!nsA || !nsB) continue
      const ethA = underlayLinkOf(lab, nsA)
      const ethB = underlayLinkOf(lab, nsB)
      if (!ethA || !ethB) continue
      const rides = [`underlay:${nsA.id}/${ethA.name}`, `underlay:${nsB.id}/${ethB.name}`]
      const direct =
        cni.backend === 'host-gw' ||
        (cni.directRouting && underlay !== undefined && cidrContains(underlay, B.ip))
      const vtepA = linkByName(nsA, `flannel.${cni.vni}`) as VxlanLink | undefined
      const vtepB = linkByName(nsB, `flannel.${cni.vni}`) as VxlanLink | undefined
      if (direct || !vtepA || !vtepB || vtepA.kind !== 'vxlan' || vtepB.kind !== 'vxlan') {
        const routeTo = (ns: Netns, eth: Link, peer: KubeNode): boolean =>
          ns.routes.some(
            (r) =>
              r.table === 'main' &&
              cidrEquals(r.dst, peer.podCIDR) &&
              r.gateway === peer.ip &&
              r.dev === eth.ifindex
          )
        wires.push({
          id: `direct-route:${nsA.id}/${ethA.name}~${nsB.id}/${ethB.name}`,
          kind: 'direct-route',
          a: `${nsA.id}/${ethA.name}`,
          b: `${nsB.id}/${ethB.name}`,
          up: ethA.up && ethB.up,
          rides,
          fromA: { route: routeTo(nsA, ethA, B) },
          fromB: { route: routeTo(nsB, ethB, A) }
        })
        continue
      }
      const toward = (
        ns: Netns,
        vtep: VxlanLink,
        peer: KubeNode,
        peerVtep: VxlanLink
      ): TunnelProgramming => ({
        route: ns.routes.some(
          (r) =>
            r.table === 'main' &&
            cidrEquals(r.dst, peer.podCIDR) &&
            r.dev === vtep.ifindex &&
            r.gateway === peer.podCIDR.network
        ),
        neigh: ns.neighbours.some(
          (n) =>
            n.ifindex === vtep.ifindex &&
            n.ip === peer.podCIDR.network &&
            n.lladdr === peerVtep.mac &&
            n.state !== 'FAILED' &&
            n.state !== 'INCOMPLETE'
        ),
        fdb: vtep.fdb.some((e) => e.mac === peerVtep.mac && e.dst === peer.ip)
      })
      const a = `${nsA.id}/${vtepA.name}`
      const b = `${nsB.id}/${vtepB.name}`
      wires.push({
        id: `vxlan-tunnel:${a}~${b}`,
        kind: 'vxlan-tunnel',
        a,
        b,
        up: vtepA.up && vtepB.up && ethA.up && ethB.up,
        vni: vtepA.vni,
        port: vtepA.dstport,
        rides,
        fromA: toward(nsA, vtepA, B, vtepB),
        fromB: toward(nsB, vtepB, A, vtepA)
      })
    }
  }
  // Keep wires whose ends are both drawn (a defensive check: every end above is a modelled id).
  const kept = wires.filter((w) => byId.has(w.a) && byId.has(w.b))

  const programmed = programmedIps(lab, nodes)
  // The apiserver's own Service has no pod behind it: the drawing shows the learner's Services.
  const services = lab.services
    .filter((svc) => !svc.fixedEndpoints && !svc.headless)
    .sort((x, y) => naturalCompare(x.namespace, y.namespace) || naturalCompare(x.name, y.name))
    .map((svc) => serviceOf(lab, svc, programmed))

  return {
    cluster: {
      cni: cni.backend,
      directRouting: cni.directRouting,
      proxyMode: lab.scenario.cluster.kubeProxy.mode,
      nodeProxyModes: Object.fromEntries(nodes.map((n) => [n.name, proxyModeOf(lab, n)])),
      podCIDR: lab.scenario.cluster.podCIDR,
      serviceCIDR: lab.scenario.cluster.serviceCIDR
    },
    groups,
    devices,
    wires: kept,
    services
  }
}
