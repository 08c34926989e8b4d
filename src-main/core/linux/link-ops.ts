import { hasHadPort, type BridgeFdbEntry, type BridgeLink, type Link } from './link.ts'
import type { Mac } from '../net/mac.ts'
import { linkByIndex, type Netns } from './netns.ts'
import { setLinkUp, type NetnsMap } from './ops.ts'
import { forgetInterfaceSysctls } from './sysctl.ts'

/**
 * What the kernel does to links a learner creates, moves and deletes by hand (`ip link add`,
 * `ip link set X netns|master|nomaster|address|name`, `ip link del`, `ip netns del`).
 */

const ZERO_MAC: Mac = '00:00:00:00:00:00'

/** dev_new_index: the namespace's counter, skipping indexes in use. */
export function freshIfindex(ns: Netns): number {
  while (ns.links.some((l) => l.ifindex === ns.nextIfindex)) ns.nextIfindex++
  return ns.nextIfindex++
}

/**
 * A bridge without an address of its own takes the lowest MAC of its ports, and without an MTU
 * of its own the lowest MTU of its ports (br_stp_recalculate_bridge_id, br_mtu_auto_adjust).
 * Once its last port has gone it has the zero MAC, which no FDB entry holds, and MTU 1500.
 */
export function adjustBridge(ns: Netns, br: BridgeLink): void {
  const ports = ns.links.filter((l) => l.master === br.ifindex)
  if (ports.length === 0 && !hasHadPort(br)) return
  if (!br.macSet) {
    const lowest = ports.map((p) => p.mac).sort()[0] ?? ZERO_MAC
    const own = (e: BridgeFdbEntry): boolean => e.port === br.ifindex && e.mac === br.mac
    if (lowest === ZERO_MAC) br.fdb = br.fdb.filter((e) => !own(e))
    else for (const e of br.fdb) if (own(e)) e.mac = lowest
    br.mac = lowest
  }
  if (!br.mtuSet) br.mtu = ports.length === 0 ? 1500 : Math.min(...ports.map((p) => p.mtu))
}

/** Removes `port` from its bridge with the FDB entries that point at it (`nomaster`). */
export function release(ns: Netns, port: Link): void {
  if (port.master === undefined) return
  const br = linkByIndex(ns, port.master)
  delete port.master
  delete port.brport
  if (br?.kind !== 'bridge') return
  br.fdb = br.fdb.filter((e) => e.port !== port.ifindex)
  adjustBridge(ns, br)
}

/** Drops a link from its namespace with everything that refers to it there. */
function detach(ns: Netns, link: Link): void {
  setLinkUp(ns, link, false)
  release(ns, link)
  if (link.kind === 'bridge') for (const port of ns.links) if (port.master === link.ifindex) release(ns, port)
  ns.links = ns.links.filter((l) => l !== link)
  forgetInterfaceSysctls(ns, link.name)
  ns.addresses = ns.addresses.filter((a) => a.ifindex !== link.ifindex)
  ns.routes = ns.routes.filter((r) => r.dev !== link.ifindex)
  ns.neighbours = ns.neighbours.filter((n) => n.ifindex !== link.ifindex)
}

/**
 * `ip link del`: a veth takes its peer with it, and a VXLAN device goes when its underlay
 * device does (vxlan_handle_lowerdev_unregister).
 */
export function deleteLink(world: NetnsMap, ns: Netns, link: Link): void {
  detach(ns, link)
  if (link.kind === 'veth') {
    const peerNs = world.get(link.peer.netns)
    const peer = peerNs && linkByIndex(peerNs, link.peer.ifindex)
    if (peerNs && peer) detach(peerNs, peer)
  }
  for (const vx of ns.links.filter((l) => l.kind === 'vxlan' && l.dev === link.ifindex)) detach(ns, vx)
}

/**
 * `ip link set X netns Y`: the link arrives down, without addresses, routes or master, keeping
 * its ifindex when the target namespace has it free (dev_change_net_namespace).
 */
export function moveLink(world: NetnsMap, from: Netns, link: Link, to: Netns): void {
  if (from === to) return
  detach(from, link)
  if (to.links.some((l) => l.ifindex === link.ifindex)) link.ifindex = freshIfindex(to)
  to.links.push(link)
  to.links.sort((a, b) => a.ifindex - b.ifindex)
  if (link.kind === 'veth') {
    const peerNs = world.get(link.peer.netns)
    const peer = peerNs && linkByIndex(peerNs, link.peer.ifindex)
    if (peer?.kind === 'veth') peer.peer = { netns: to.id, ifindex: link.ifindex }
  }
}
