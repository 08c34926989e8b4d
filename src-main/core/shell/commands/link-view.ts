/**
 * How iproute2 describes a link (flags, state, qdisc, `name@ifN`, link-local IPv6): shared by
 * `ip link`, `ip addr` and `bridge link`.
 */
import type { Lab } from '../../kube/lab.ts'
import type { Link } from '../../linux/link.ts'
import { hasCarrier } from '../../linux/ops.ts'
import { linkByIndex, peerNsid, type Netns } from '../../linux/netns.ts'

export function linkFlags(lab: Lab, ns: Netns, link: Link): string[] {
  const carrier = hasCarrier(lab.netns, ns, link)
  if (link.kind === 'loopback') return link.up ? ['LOOPBACK', 'UP', 'LOWER_UP'] : ['LOOPBACK']
  const flags = link.kind === 'dummy' && link.noarp ? ['BROADCAST', 'NOARP'] : ['BROADCAST', 'MULTICAST']
  if (link.up && !carrier) flags.unshift('NO-CARRIER')
  if (link.up) flags.push('UP')
  if (link.up && carrier) flags.push('LOWER_UP')
  return flags
}

/** Operational state (`state X`): UNKNOWN for devices without carrier notion (lo, vxlan, dummy). */
export function operState(lab: Lab, ns: Netns, link: Link): string {
  if (!link.up) return 'DOWN'
  if (link.kind === 'loopback' || link.kind === 'vxlan' || link.kind === 'dummy') return 'UNKNOWN'
  if (hasCarrier(lab.netns, ns, link)) return 'UP'
  return link.kind === 'veth' ? 'LOWERLAYERDOWN' : 'DOWN'
}

/** `eth0@if5` for veths (peer's ifindex in its own namespace), the plain name otherwise. */
export function linkLabel(link: Link): string {
  return link.kind === 'veth' ? `${link.name}@if${link.peer.ifindex}` : link.name
}

/** A dummy that was never brought up has no qdisc attached yet (`noop`); everything else is `noqueue`. */
export function qdisc(link: Link): string {
  return link.kind === 'dummy' && !link.up ? 'noop' : 'noqueue'
}

export function masterName(ns: Netns, link: Link): string | undefined {
  return link.master === undefined ? undefined : linkByIndex(ns, link.master)?.name
}

/** First line of `ip link`/`ip addr` for a link. */
export function linkHeader(lab: Lab, ns: Netns, link: Link, withMode: boolean): string {
  const master = masterName(ns, link)
  return `${link.ifindex}: ${linkLabel(link)}: <${linkFlags(lab, ns, link).join(',')}> mtu ${link.mtu} qdisc ${qdisc(link)}${master ? ` master ${master}` : ''} state ${operState(lab, ns, link)}${withMode ? ' mode DEFAULT' : ''} group default qlen ${link.txqlen}`
}

export function netnsidSuffix(ns: Netns, link: Link): string {
  return link.kind === 'veth' ? ` link-netnsid ${peerNsid(ns, link.peer.netns)}` : ''
}

/** `link/ether MAC brd ff:…` (or the loopback form) with the peer's netns id for veths. */
export function linkLayerLine(ns: Netns, link: Link): string {
  if (link.kind === 'loopback') return '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00'
  return `    link/ether ${link.mac} brd ff:ff:ff:ff:ff:ff${netnsidSuffix(ns, link)}`
}

/** The EUI-64 link-local address the kernel gives every up link with a MAC (addrgenmode eui64). */
export function linkLocalIpv6(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16))
  const groups = [((b[0]! ^ 2) << 8) | b[1]!, (b[2]! << 8) | 0xff, 0xfe00 | b[3]!, (b[4]! << 8) | b[5]!]
  return `fe80::${groups.map((g) => g.toString(16)).join(':')}`
}

/** IPv6 addresses exist while a link is up (the kernel drops them on down); NOARP links get none. */
export function hasIpv6(link: Link): boolean {
  return link.up && !(link.kind === 'dummy' && link.noarp)
}
