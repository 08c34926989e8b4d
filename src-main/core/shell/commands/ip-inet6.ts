/**
 * The IPv6 a host of an IPv4-only cluster still has: ::1 on lo and an EUI-64 link-local address
 * on every other up link once it has had carrier, with the routes the kernel adds for them
 * (fe80::/64 in main; `local` and `multicast ff00::/8` in local) and nothing beyond them, no
 * default route and no neighbours.
 */
import type { Lab } from '../../kube/lab.ts'
import type { Link } from '../../linux/link.ts'
import { linkByName, type Netns } from '../../linux/netns.ts'
import { hasCarrier } from '../../linux/ops.ts'
import { DEFAULT_RULES, type Rule } from '../../linux/rule.ts'
import { formatIpv6, parseIpv6 } from '../../net/ipv6.ts'
import { hasIpv6, linkLocalIpv6 } from './link-view.ts'

export interface Ipv6Address {
  link: Link
  address: string
  prefixLen: number
  scope: 'host' | 'link'
  /** Duplicate address detection is still running: no `local` route, no source, no answers. */
  tentative: boolean
}

/**
 * How long DAD keeps a new link-local address tentative: a random delay of up to
 * rtr_solicit_delay (1 s), then one probe and retrans_time (1 s) to wait for an objection. The
 * lab takes the delay from the MAC so that the clock alone decides.
 */
export function dadMs(link: Link): number {
  return 1000 + Math.floor((parseInt(link.mac.slice(-2), 16) * 1000) / 256)
}

/**
 * When a link got its link-local address and in which order; a link the lab built up with
 * carrier has had it from the start.
 */
function linkLocalSince(lab: Lab, ns: Netns, link: Link): { at: number; seq: number } | undefined {
  if (!hasIpv6(link)) return undefined
  if (link.linkLocal !== undefined) return link.linkLocal
  return hasCarrier(lab.netns, ns, link) ? { at: -Infinity, seq: 0 } : undefined
}

/** The namespace's IPv6 addresses, link-local ones in the order the links got them. */
export function ipv6Addresses(lab: Lab, ns: Netns): Ipv6Address[] {
  const lo = ns.links.filter((l) => l.kind === 'loopback' && hasIpv6(l))
  const others = ns.links
    .filter((l) => l.kind !== 'loopback')
    .flatMap((link) => {
      const since = linkLocalSince(lab, ns, link)
      return since === undefined ? [] : [{ link, since }]
    })
    .sort((a, b) => a.since.seq - b.since.seq)
  return [
    ...lo.map((link): Ipv6Address => ({
      link,
      address: '::1',
      prefixLen: 128,
      scope: 'host',
      tentative: false
    })),
    ...others.map(({ link, since }): Ipv6Address => ({
      link,
      address: linkLocalIpv6(link.mac),
      prefixLen: 64,
      scope: 'link',
      tentative: lab.clock.nowMs < since.at + dadMs(link)
    }))
  ]
}

export interface Ipv6Route {
  table: 'main' | 'local'
  type: 'unicast' | 'local' | 'multicast'
  /** `fe80::/64`, `ff00::/8`, or a host address written bare. */
  dst: string
  dev: Link
  metric: number
  /** RTNH_F_LINKDOWN: the device has lost its carrier (the address stays while it is up). */
  linkdown: boolean
}

/**
 * The kernel's routes in its dump order: main's fe80::/64 routes, then local's host routes by
 * address and its ff00::/8 routes. Routes to one prefix list in the order the links got their
 * addresses; a tentative address has no `local` route until DAD ends.
 */
export function ipv6Routes(lab: Lab, ns: Netns): Ipv6Route[] {
  const addrs = ipv6Addresses(lab, ns)
  const onLinks = addrs.filter((a) => a.scope === 'link')
  const byAddress = (a: Ipv6Address, b: Ipv6Address): number => {
    const x = parseIpv6(a.address)!
    const y = parseIpv6(b.address)!
    const i = x.findIndex((v, k) => v !== y[k])
    return i === -1 ? 0 : x[i]! - y[i]!
  }
  return [
    ...onLinks.map((a): Ipv6Route => ({
      table: 'main',
      type: 'unicast',
      dst: 'fe80::/64',
      dev: a.link,
      metric: 256,
      linkdown: !hasCarrier(lab.netns, ns, a.link)
    })),
    ...addrs
      .filter((a) => !a.tentative)
      .sort(byAddress)
      .map((a): Ipv6Route => ({
        table: 'local',
        type: 'local',
        dst: a.address,
        dev: a.link,
        metric: 0,
        linkdown: false
      })),
    ...onLinks.map((a): Ipv6Route => ({
      table: 'local',
      type: 'multicast',
      dst: 'ff00::/8',
      dev: a.link,
      metric: 256,
      linkdown: !hasCarrier(lab.netns, ns, a.link)
    }))
  ]
}

/** rtnl_rtntype_a2n's numbers for the three types the routes here have. */
export const IPV6_ROUTE_TYPE_NUMBER: Record<Ipv6Route['type'], number> = {
  unicast: 1,
  local: 2,
  multicast: 5
}

/** A route as `ip -6 route` prints it; `hidden` are the fields the selector pinned. */
export function ipv6RouteLine(
  r: Ipv6Route,
  hidden: { dev: boolean; proto: boolean },
  withTable: boolean
): string {
  const type = r.type === 'unicast' ? '' : `${r.type} `
  const dev = hidden.dev ? '' : ` dev ${r.dev.name}`
  const table = withTable && r.table === 'local' ? ' table local' : ''
  const proto = hidden.proto ? '' : ' proto kernel'
  return `${type}${r.dst}${dev}${table}${proto} metric ${r.metric}${r.linkdown ? ' linkdown' : ''} pref medium`
}

/** The policy rules of IPv6, which has no `default` table rule; the lab's rules are IPv4's. */
export const IPV6_RULES: readonly Rule[] = DEFAULT_RULES.filter((r) => r.table !== 'default')

export interface Ipv6Destination {
  bytes: number[]
  /** The address as inet_ntop writes it. */
  text: string
  /** The interface after `%`. */
  scopeDev?: Link
}

/**
 * An IPv6 address with an optional `%dev` zone, as getaddrinfo reads it; `undefined` when the
 * text is no IPv6 address, `'bad-zone'` for a zone naming no device.
 */
export function parseIpv6Destination(ns: Netns, text: string): Ipv6Destination | 'bad-zone' | undefined {
  const [addr, zone, extra] = text.split('%')
  if (extra !== undefined) return undefined
  const bytes = parseIpv6(addr ?? '')
  if (bytes === undefined) return undefined
  const out: Ipv6Destination = { bytes, text: formatIpv6(bytes) }
  if (zone === undefined) return out
  const dev = linkByName(ns, zone)
  return dev === undefined ? 'bad-zone' : { ...out, scopeDev: dev }
}

export type Ipv6Lookup =
  | { kind: 'local'; address: Ipv6Address }
  | { kind: 'on-link'; route: Ipv6Route; source: Ipv6Address }
  | { kind: 'multicast'; route: Ipv6Route; source: Ipv6Address }
  | { kind: 'unreachable' }

/**
 * Where the kernel's IPv6 lookup sends a destination: to one of the host's own addresses, out of
 * a link for fe80::/64 and ff00::/8, and nowhere else, there being no default route. `dev` is the
 * device a zone, `-I` or `oif` names.
 */
export function lookupIpv6(lab: Lab, ns: Netns, dst: readonly number[], dev?: Link): Ipv6Lookup {
  const addrs = ipv6Addresses(lab, ns)
  const own = addrs.find((a) => !a.tentative && a.address === formatIpv6(dst))
  if (own) return { kind: 'local', address: own }
  const onLink = dst[0] === 0xfe && (dst[1]! & 0xc0) === 0x80
  const multicast = dst[0] === 0xff
  if (!onLink && !multicast) return { kind: 'unreachable' }
  const type = multicast ? 'multicast' : 'unicast'
  const route = ipv6Routes(lab, ns).find((r) => r.type === type && (dev === undefined || r.dev === dev))
  const source = route && addrs.find((a) => a.link === route.dev)
  if (!route || !source) return { kind: 'unreachable' }
  return multicast ? { kind: 'multicast', route, source } : { kind: 'on-link', route, source }
}
