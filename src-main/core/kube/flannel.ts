import { addAddress, addLink, addBootRoute, lookupRoute, setNeighbour } from '../linux/ops.ts'
import type { EtherLink, Link, VxlanLink } from '../linux/link.ts'
import { linkByIndex, linkByName, type Netns } from '../linux/netns.ts'
import { formatIpv4, type Ipv4 } from '../net/ipv4.ts'
import { cidrContains, formatCidr, parseCidr } from '../net/cidr.ts'
import { macFromBytes } from '../net/mac.ts'
import { randomBytes } from '../net/rng.ts'
import { appendTo, emptyOwned, installOwned, type RuleParser } from './iptables-writer.ts'
import type { Lab } from './lab.ts'
import type { KubeNode } from './objects.ts'

/** flannel's vxlan encapOverhead: inner Ethernet 14 + VXLAN 8 + UDP 8 + outer IPv4 20. */
export const VXLAN_OVERHEAD = 50

/** The MTU flanneld writes to subnet.env (FLANNEL_MTU): what pods and cni0 get. */
export function flannelMtu(lab: Lab): number {
  return lab.scenario.cluster.cni.backend === 'vxlan'
    ? lab.scenario.cluster.mtu - VXLAN_OVERHEAD
    : lab.scenario.cluster.mtu
}

/** The node's NIC on the underlay segment: eth0, or eth1 on a VM whose eth0 is its NAT network. */
export function underlayLinkOf(lab: Lab, ns: Netns): EtherLink {
  const port = lab.segments.get('underlay')?.ports.find((p) => p.netns === ns.id)
  const link = port && linkByIndex(ns, port.ifindex)
  return (link?.kind === 'ether' ? link : linkByName(ns, 'eth0')) as EtherLink
}

/**
 * The interface flanneld uses and the address it publishes (`public-ip`) and puts on the VTEP:
 * `--iface` (or `FLANNELD_IFACE`) names it, otherwise it takes the default route's interface.
 * A lab node without a default route stands for one started with `--iface=eth0`, where a real
 * flanneld without the flag would refuse to start.
 */
function flannelInterface(lab: Lab, ns: Netns): { link: Link; publicIp: Ipv4 } | undefined {
  const iface = lab.flannelIface ?? lab.scenario.cluster.cni.iface
  const defaultRoute = lookupRoute(ns, 0)
  const link =
    iface !== undefined
      ? linkByName(ns, iface)
      : defaultRoute?.dst.prefixLen === 0 && defaultRoute.dev !== undefined
        ? linkByIndex(ns, defaultRoute.dev)
        : underlayLinkOf(lab, ns)
  const address = link && ns.addresses.find((a) => a.ifindex === link.ifindex && a.scope === 'global')
  return link && address ? { link, publicIp: address.address } : undefined
}

/** Why ipmatch.LookupExtIface found no interface of the name flanneld was given, in its words. */
function lookupError(lab: Lab, ns: Netns): string {
  const iface = lab.flannelIface ?? lab.scenario.cluster.cni.iface ?? ''
  return linkByName(ns, iface)
    ? `failed to find IPv4 address for interface ${iface}`
    : `error looking up interface ${iface}: route ip+net: no such network interface`
}

/** Kept only where it differs from the node's address, which is what nearly every lab publishes. */
function publish(node: KubeNode, publicIp: Ipv4): void {
  if (publicIp === node.ip) delete node.publicIp
  else node.publicIp = publicIp
}

/** Creates flannel.<VNI> on a node (vxlan backend): X.0/32, learning off, the kernel's port. */
export function createVtep(lab: Lab, node: KubeNode, ns: Netns): void {
  const cni = lab.scenario.cluster.cni
  const chosen = flannelInterface(lab, ns)!
  publish(node, chosen.publicIp)
  const mac = macFromBytes(randomBytes(lab.rng, 6))
  const vtep = addLink<VxlanLink>(ns, {
    kind: 'vxlan',
    name: `flannel.${cni.vni}`,
    mtu: flannelMtu(lab),
    mac,
    up: true,
    vni: cni.vni,
    local: chosen.publicIp,
    dev: chosen.link.ifindex,
    dstport: cni.port,
    learning: false,
    ageing: 300,
    fdb: []
  })
  node.vtepMac = mac
  addAddress(ns, vtep.ifindex, node.podCIDR.network, 32)
}

/**
 * What flanneld (≥ v0.9) programs on `node` for each remote node: with vxlan a route
 * `X.0/24 via X.0 dev flannel.1 onlink`, a PERMANENT neighbour and an FDB `dst` entry; with
 * host-gw (or DirectRouting to a peer on the same L2 subnet) `X.0/24 via <peer> dev eth0`.
 */
export function programPeers(lab: Lab, node: KubeNode, ns: Netns): void {
  const cni = lab.scenario.cluster.cni
  const underlay = parseCidr(lab.scenario.cluster.underlayCIDR)!
  const eth0 = underlayLinkOf(lab, ns)
  const vtep = linkByName(ns, `flannel.${cni.vni}`) as VxlanLink | undefined
  for (const peer of lab.nodes) {
    if (peer === node) continue
    const direct = cni.backend === 'host-gw' || (cni.directRouting && cidrContains(underlay, peer.ip))
    if (direct || !vtep) {
      addBootRoute(ns, peer.podCIDR, peer.ip, eth0.ifindex)
      continue
    }
    addBootRoute(ns, peer.podCIDR, peer.podCIDR.network, vtep.ifindex, true)
    setNeighbour(ns, vtep.ifindex, peer.podCIDR.network, peer.vtepMac, 'PERMANENT', lab.clock.nowMs)
    vtep.fdb.push({ mac: peer.vtepMac!, dst: peer.publicIp ?? peer.ip, permanent: true })
  }
}

/**
 * A new flanneld on every node, as a rollout of the DaemonSet starts one: each picks its
 * interface again and publishes its address; the VTEP's `local` and `dev` follow it, and every
 * node's FDB entries follow the addresses the others published. A real flanneld deletes and
 * recreates a VTEP whose `local` changed; the lab changes it in place, so its ifindex, MAC and
 * the routes through it stay as they were. A flanneld that finds no interface exits before it
 * touches anything, and crash-loops: its node keeps the VTEP, routes and FDB it had.
 */
export function restartFlanneld(lab: Lab): void {
  const vni = lab.scenario.cluster.cni.vni
  const crashing: { node: string; error: string }[] = []
  for (const node of lab.nodes) {
    const ns = lab.netns.get(node.netns)!
    const chosen = flannelInterface(lab, ns)
    if (!chosen) {
      crashing.push({ node: node.name, error: lookupError(lab, ns) })
      continue
    }
    const vtep = linkByName(ns, `flannel.${vni}`)
    if (vtep?.kind !== 'vxlan') continue
    publish(node, chosen.publicIp)
    vtep.local = chosen.publicIp
    vtep.dev = chosen.link.ifindex
  }
  for (const node of lab.nodes) {
    if (crashing.some((c) => c.node === node.name)) continue
    const vtep = linkByName(lab.netns.get(node.netns)!, `flannel.${vni}`)
    if (vtep?.kind !== 'vxlan') continue
    for (const entry of vtep.fdb) {
      const peer = lab.nodes.find((p) => p !== node && p.vtepMac === entry.mac)
      if (peer) entry.dst = peer.publicIp ?? peer.ip
    }
  }
  lab.flannelDs = {
    generation: (lab.flannelDs?.generation ?? 1) + 1,
    rolledAtMs: lab.clock.nowMs,
    crashing
  }
}

/** What flanneld's kube subnet manager writes on its Node, as `kubectl get node -o yaml` shows it. */
export function flannelNodeAnnotations(lab: Lab, node: KubeNode): Record<string, string> {
  const cni = lab.scenario.cluster.cni
  if (cni.backend === 'none') return {}
  return {
    'flannel.alpha.coreos.com/backend-data':
      cni.backend === 'vxlan' ? JSON.stringify({ VNI: cni.vni, VtepMAC: node.vtepMac }) : 'null',
    'flannel.alpha.coreos.com/backend-type': cni.backend,
    'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
    'flannel.alpha.coreos.com/public-ip': formatIpv4(node.publicIp ?? node.ip)
  }
}

/** flanneld --ip-masq (iptables trafficmngr) and its FORWARD accept rules. */
export function installFlannelRules(lab: Lab, node: KubeNode, ns: Netns, parser: RuleParser): void {
  const net = lab.scenario.cluster.podCIDR
  const sub = formatCidr(node.podCIDR)
  const c = '-m comment --comment "flanneld masq"'
  const nat = emptyOwned()
  if (lab.scenario.cluster.cni.ipMasq) {
    nat.append.push({ chain: 'POSTROUTING', rule: parser.rule(`${c} -j FLANNEL-POSTRTG`) })
    appendTo(nat, parser, 'FLANNEL-POSTRTG', `-m mark --mark 0x4000/0x4000 ${c} -j RETURN`)
    appendTo(nat, parser, 'FLANNEL-POSTRTG', `-s ${sub} -d ${net} ${c} -j RETURN`)
    appendTo(nat, parser, 'FLANNEL-POSTRTG', `-s ${net} -d ${sub} ${c} -j RETURN`)
    appendTo(nat, parser, 'FLANNEL-POSTRTG', `! -s ${net} -d ${sub} ${c} -j RETURN`)
    appendTo(nat, parser, 'FLANNEL-POSTRTG', `-s ${net} ! -d 224.0.0.0/4 ${c} -j MASQUERADE --random-fully`)
    appendTo(nat, parser, 'FLANNEL-POSTRTG', `! -s ${net} -d ${net} ${c} -j MASQUERADE --random-fully`)
  }
  installOwned(ns.netfilter, 'nat', 'FLANNEL-', nat)
  const filter = emptyOwned()
  const fc = '-m comment --comment "flanneld forward"'
  filter.append.push({ chain: 'FORWARD', rule: parser.rule(`${fc} -j FLANNEL-FWD`) })
  appendTo(filter, parser, 'FLANNEL-FWD', `-s ${net} ${fc} -j ACCEPT`)
  appendTo(filter, parser, 'FLANNEL-FWD', `-d ${net} ${fc} -j ACCEPT`)
  installOwned(ns.netfilter, 'filter', 'FLANNEL-', filter)
}
