/**
 * How iproute2 describes a link (flags, state, qdisc, `name@ifN`, link-local IPv6): shared by
 * `ip link`, `ip addr` and `bridge link`.
 */
import type { Lab } from '../../kube/lab.ts'
import { hasHadPort, type Link } from '../../linux/link.ts'
import { hasCarrier } from '../../linux/ops.ts'
import { linkByIndex, peerNsid, type Netns } from '../../linux/netns.ts'

export function linkFlags(lab: Lab, ns: Netns, link: Link): string[] {
  const carrier = hasCarrier(lab.netns, ns, link)
  if (link.kind === 'loopback') return link.up ? ['LOOPBACK', 'UP', 'LOWER_UP'] : ['LOOPBACK']
  const flags = link.kind === 'dummy' && link.noarp ? ['BROADCAST', 'NOARP'] : ['BROADCAST', 'MULTICAST']
  if (link.up && !carrier) flags.unshift('NO-CARRIER')
  if (link.up) flags.push('UP')
  if (link.up && carrier) flags.push('LOWER_UP')
  // iproute2 names a veth's peer in the same namespace and flags it while it is down.
  if (link.kind === 'veth' && link.peer.netns === ns.id && linkByIndex(ns, link.peer.ifindex)?.up === false)
    flags.push('M-DOWN')
  return flags
}

/**
 * Operational state (`state X`): UNKNOWN for devices without carrier notion (lo, vxlan, dummy),
 * and for a bridge that never had a port, whose carrier was never switched.
 */
export function operState(lab: Lab, ns: Netns, link: Link): string {
  if (!link.up) return 'DOWN'
  if (link.kind === 'loopback' || link.kind === 'vxlan' || link.kind === 'dummy') return 'UNKNOWN'
  if (link.kind === 'bridge' && !hasHadPort(link)) return 'UNKNOWN'
  if (hasCarrier(lab.netns, ns, link)) return 'UP'
  return link.kind === 'veth' ? 'LOWERLAYERDOWN' : 'DOWN'
}

/**
 * `eth0@if5` for veths (peer's ifindex in its own namespace), `veth-a@veth-b` when both ends
 * share a namespace, the plain name otherwise.
 */
export function linkLabel(ns: Netns, link: Link): string {
  if (link.kind !== 'veth') return link.name
  const peer = link.peer.netns === ns.id ? linkByIndex(ns, link.peer.ifindex) : undefined
  return `${link.name}@${peer ? peer.name : `if${link.peer.ifindex}`}`
}

/** A link never brought up has no qdisc attached yet (`noop`); everything else is `noqueue`. */
export function qdisc(link: Link): string {
  return (link.kind === 'dummy' && !link.up) || link.neverUp === true ? 'noop' : 'noqueue'
}

export function masterName(ns: Netns, link: Link): string | undefined {
  return link.master === undefined ? undefined : linkByIndex(ns, link.master)?.name
}

/** First line of `ip link`/`ip addr` for a link. */
export function linkHeader(lab: Lab, ns: Netns, link: Link, withMode: boolean): string {
  return `${linkHead(ns, link, linkFlags(lab, ns, link), operState(lab, ns, link))}${withMode ? ' mode DEFAULT' : ''} group default qlen ${link.txqlen}`
}

/**
 * The link as `ip monitor` prints an RTM_NEWLINK: no mode and no qlen, which iproute2 shows
 * only when listing. While a link coming up is `settling` the kernel already reports UP and
 * LOWER_UP but no carrier yet, and state DOWN.
 */
export function monitorLinkHeader(lab: Lab, ns: Netns, link: Link, settling: boolean): string {
  const flags = linkFlags(lab, ns, link)
  return settling && flags.includes('LOWER_UP')
    ? `${linkHead(ns, link, ['NO-CARRIER', ...flags], 'DOWN')} group default `
    : `${linkHead(ns, link, flags, operState(lab, ns, link))} group default `
}

function linkHead(ns: Netns, link: Link, flags: readonly string[], state: string): string {
  const master = masterName(ns, link)
  return `${link.ifindex}: ${linkLabel(ns, link)}: <${flags.join(',')}> mtu ${link.mtu} qdisc ${qdisc(link)}${master ? ` master ${master}` : ''} state ${state}`
}

/**
 * Where a veth's peer lives: iproute2 prints the name /run/netns gives that namespace on this
 * host (`link-netns NAME`), else its nsid; nothing when both ends share the namespace.
 */
export function netnsidSuffix(lab: Lab, ns: Netns, link: Link): string {
  if (link.kind !== 'veth' || link.peer.netns === ns.id) return ''
  const id = peerNsid(ns, link.peer.netns)
  const name = netnsNameOf(lab, ns, link.peer.netns)
  return name === undefined ? ` link-netnsid ${id}` : ` link-netns ${name}`
}

/** The /run/netns name of `id` on the host `ns` belongs to, if it has one there. */
function netnsNameOf(lab: Lab, ns: Netns, id: string): string | undefined {
  const host = hostOfNetns(lab, ns.id)
  for (const [name, nsId] of lab.netnsNames.get(host) ?? []) if (nsId === id) return name
  return undefined
}

/** The node or host a namespace belongs to: itself, or the host whose `ip netns add` made it. */
export function hostOfNetns(lab: Lab, id: string): string {
  for (const [host, names] of lab.netnsNames) for (const nsId of names.values()) if (nsId === id) return host
  return id
}

/** `link/ether MAC brd ff:…` (or the loopback form) with the peer's netns for veths. */
export function linkLayerLine(lab: Lab, ns: Netns, link: Link): string {
  if (link.kind === 'loopback') return '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00'
  return `    link/ether ${link.mac} brd ff:ff:ff:ff:ff:ff${netnsidSuffix(lab, ns, link)}`
}

/** The EUI-64 link-local address the kernel gives every up link with a MAC (addrgenmode eui64). */
export function linkLocalIpv6(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16))
  const groups = [
    0xfe80,
    0,
    0,
    0,
    ((b[0]! ^ 2) << 8) | b[1]!,
    (b[2]! << 8) | 0xff,
    0xfe00 | b[3]!,
    (b[4]! << 8) | b[5]!
  ]
  // RFC 5952: the longest run of zero groups becomes `::` (with 02:00:… MACs it spans five).
  const at = 1
  let len = 3
  while (groups[at + len] === 0) len++
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':')
  return `${hex(groups.slice(0, at))}::${hex(groups.slice(at + len))}`
}

/** IPv6 addresses exist while a link is up (the kernel drops them on down); NOARP links get none. */
export function hasIpv6(link: Link): boolean {
  return link.up && !(link.kind === 'dummy' && link.noarp)
}
