import { addAddress, addLink, addRoute, setNeighbour } from '../linux/ops.ts'
import type { EtherLink, VxlanLink } from '../linux/link.ts'
import { linkByName, type Netns } from '../linux/netns.ts'
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

/** Creates flannel.<VNI> on a node (vxlan backend): X.0/32, learning off, the kernel's port. */
export function createVtep(lab: Lab, node: KubeNode, ns: Netns): void {
  const cni = lab.scenario.cluster.cni
  const eth0 = linkByName(ns, 'eth0')!
  const mac = macFromBytes(randomBytes(lab.rng, 6))
  const vtep = addLink<VxlanLink>(ns, {
    kind: 'vxlan',
    name: `flannel.${cni.vni}`,
    mtu: flannelMtu(lab),
    mac,
    up: true,
    vni: cni.vni,
    local: node.ip,
    dev: eth0.ifindex,
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
  const eth0 = linkByName(ns, 'eth0') as EtherLink
  const vtep = linkByName(ns, `flannel.${cni.vni}`) as VxlanLink | undefined
  for (const peer of lab.nodes) {
    if (peer === node) continue
    const direct = cni.backend === 'host-gw' || (cni.directRouting && cidrContains(underlay, peer.ip))
    if (direct || !vtep) {
      addRoute(ns, {
        table: 'main',
        type: 'unicast',
        dst: peer.podCIDR,
        gateway: peer.ip,
        dev: eth0.ifindex,
        proto: 'boot',
        scope: 'global',
        onlink: false
      })
      continue
    }
    addRoute(ns, {
      table: 'main',
      type: 'unicast',
      dst: peer.podCIDR,
      gateway: peer.podCIDR.network,
      dev: vtep.ifindex,
      proto: 'boot',
      scope: 'global',
      onlink: true
    })
    setNeighbour(ns, vtep.ifindex, peer.podCIDR.network, peer.vtepMac, 'PERMANENT', lab.clock.nowMs)
    vtep.fdb.push({ mac: peer.vtepMac!, dst: peer.ip, permanent: true })
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
