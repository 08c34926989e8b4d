/**
 * `ip -6 route|neigh|rule` over the IPv6 a host has (ip-inet6.ts): listings and `route get` as
 * iproute2 6.1 prints them; changes to IPv6 routes, neighbours and rules are not simulated.
 */
import type { Lab } from '../../kube/lab.ts'
import type { CommandOutput } from '../command.ts'
import { fail, ok } from '../command.ts'
import { linkByName, type Netns } from '../../linux/netns.ts'
import { parseIpv4 } from '../../net/ipv4.ts'
import { bad } from './ip-errors.ts'
import {
  IPV6_ROUTE_TYPE_NUMBER,
  IPV6_RULES,
  ipv6RouteLine,
  ipv6Routes,
  lookupIpv6,
  parseIpv6Destination
} from './ip-inet6.ts'
import { parseNeighbourFilter } from './ip-neigh-filter.ts'
import { parseRouteFilter } from './ip-route-filter.ts'
import { runRuleCommand } from './ip-rule.ts'

export const ipv6Unsimulated = (what: string): CommandOutput =>
  fail(
    `Podnet Lab does not simulate "${what}": its clusters are IPv4-only, and IPv6 is what every host has anyway (::1, fe80::/64 link-local addresses and their kernel routes).\n`,
    255
  )

/** rtm_scope RT_SCOPE_UNIVERSE. */
const UNIVERSE = 0

/**
 * The IPv6 routes `ip -6 route show` keeps; `withTable`: a `table all` listing names table local.
 * Without `-6`, a `table all` listing is of every family and ends with these.
 */
export function ipv6RouteListing(lab: Lab, ns: Netns, args: readonly string[]): CommandOutput {
  const filter = parseRouteFilter(ns, args)
  if ('exitCode' in filter)
    return args.some((a) => a.includes(':')) ? ipv6Unsimulated(`ip -6 route show ${args.join(' ')}`) : filter
  if (filter.root || filter.match || filter.via || filter.src)
    return ipv6Unsimulated(`ip -6 route show ${args.join(' ')}`)
  const table = filter.table
  if (table !== 'all' && table !== 'main' && table !== 'local')
    return fail('Error: ipv6: FIB table does not exist.\nDump terminated\n', 2)
  // Every IPv6 route here is the kernel's, of scope universe.
  const kept =
    (filter.proto === undefined || filter.proto === 'kernel') &&
    (filter.scope === undefined || filter.scope === UNIVERSE)
  const lines = ipv6Routes(lab, ns)
    .filter((r) => kept && (table === 'all' || r.table === table))
    .filter((r) => filter.dev === undefined || r.dev === filter.dev)
    .filter((r) => filter.type === undefined || IPV6_ROUTE_TYPE_NUMBER[r.type] === filter.type)
    .map(
      (r) =>
        `${ipv6RouteLine(r, { dev: filter.dev !== undefined, proto: filter.proto !== undefined }, table === 'all')}\n`
    )
  return ok(lines.join(''))
}

/** `ip route get ADDR [oif DEV]` for an IPv6 address; the kernel answers with the route it used. */
function ipv6RouteGet(lab: Lab, ns: Netns, args: readonly string[]): CommandOutput {
  const rest = [...args]
  const oifAt = rest.indexOf('oif')
  const oifName = oifAt === -1 ? undefined : rest.splice(oifAt, 2)[1]
  if (rest.some((w) => ['from', 'iif', 'mark', 'fibmatch', 'vrf', 'dev'].includes(w)))
    return ipv6Unsimulated(`ip -6 route get ${args.join(' ')}`)
  const target = rest.find((a) => a !== 'to') ?? ''
  const dst = parseIpv6Destination(ns, target)
  if (dst === undefined || dst === 'bad-zone' || dst.scopeDev !== undefined)
    return bad(`Error: inet6 prefix is expected rather than "${target}".`)
  const oif = oifName === undefined ? undefined : linkByName(ns, oifName)
  if (oifName !== undefined && !oif) return bad(`Cannot find device "${oifName}"`)
  const found = lookupIpv6(lab, ns, dst.bytes, oif)
  switch (found.kind) {
    case 'local':
      return ok(
        `local ${dst.text} from :: dev lo table local proto kernel src ${dst.text} metric 0 pref medium\n`
      )
    case 'on-link':
      return ok(
        `${dst.text} from :: dev ${found.route.dev.name} proto kernel src ${found.source.address} metric 256 pref medium\n`
      )
    case 'multicast':
      return ok(
        `multicast ${dst.text} from :: dev ${found.route.dev.name} table local proto kernel src ${found.source.address} metric 256 pref medium\n`
      )
    case 'unreachable':
      return bad('RTNETLINK answers: Network is unreachable', 2)
  }
}

/** `ip -6 route`: listings and `get`; a written address of the other family is refused. */
export function runIpv6Route(
  lab: Lab,
  ns: Netns,
  verb: string | undefined,
  args: readonly string[]
): CommandOutput {
  if (verb === 'show') return ipv6RouteListing(lab, ns, args)
  if (verb === 'get') {
    const target = args.find((a) => a !== 'to') ?? ''
    if (parseIpv4(target) !== undefined)
      return bad(`Error: inet6 prefix is expected rather than "${target}".`)
    return ipv6RouteGet(lab, ns, args)
  }
  return ipv6Unsimulated(`ip -6 route ${verb ?? ''}`.trim())
}

/**
 * `ip -6 neigh`: a host of the lab has exchanged no neighbour discovery, so a listing is empty
 * and a flush has nothing to flush. (The kernel's own NOARP multicast entries, which `nud all`
 * would show, are not modelled.)
 */
export function runIpv6Neigh(ns: Netns, verb: string | undefined, args: readonly string[]): CommandOutput {
  if (verb !== 'show' && verb !== 'flush') return ipv6Unsimulated(`ip -6 neigh ${verb ?? ''}`.trim())
  if (verb === 'flush' && args.length === 0) return bad('Flush requires arguments.')
  const filter = parseNeighbourFilter(ns, args, verb)
  if ('exitCode' in filter) return filter
  const nud = args[args.indexOf('nud') + 1]
  if (verb === 'show' && args.includes('nud') && (nud === 'all' || nud === 'noarp'))
    return ipv6Unsimulated(`ip -6 neigh show ${args.join(' ')}`)
  return ok('')
}

/** `ip -6 rule`: IPv6 keeps its own rules, the defaults without the `default` table's. */
export function runIpv6Rule(ns: Netns, verb: string | undefined, args: readonly string[]): CommandOutput {
  if (verb !== 'show') return ipv6Unsimulated(`ip -6 rule ${verb ?? ''}`.trim())
  return runRuleCommand({ ...ns, rules: [...IPV6_RULES] }, 'show', args)
}
