/**
 * The SELECTOR of `ip route show|list` (iproute2 6.1's iproute_list_flush_or_save): which routes
 * a listing keeps, and which fields it then leaves out because the selector already fixed them.
 */
import type { CommandOutput } from '../command.ts'
import { fail } from '../command.ts'
import type { Link } from '../../linux/link.ts'
import { linkByName, type Netns } from '../../linux/netns.ts'
import {
  parseRouteProto,
  parseTable,
  type Route,
  type RouteProto,
  type RouteTable,
  type RouteType
} from '../../linux/route.ts'
import { makeCidr, prefixMask, type Cidr } from '../../net/cidr.ts'
import { incomplete, invalidArgument } from './ip-errors.ts'

export interface RouteFilter {
  table: RouteTable | 'all'
  dev?: Link
  proto?: RouteProto
  /** rtm_scope as a number; undefined for any (`scope all` too, which still prints it). */
  scope?: number
  type?: number
  via?: Cidr
  src?: Cidr
  /** `root P`: routes inside P. */
  root?: Cidr
  /** `match P`: routes that cover P. A bare prefix (or `exact P`) sets both. */
  match?: Cidr
}

/** The fields a route line leaves out because the selector fixed them. */
export interface HiddenFields {
  dev: boolean
  proto: boolean
  scope: boolean
  via: boolean
  src: boolean
}

const SCOPES: Record<string, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 }
const SCOPE_OF: Record<Route['scope'], number> = { global: 0, link: 253, host: 254 }

/** rtnl_rtntype_a2n's names; RTN_UNSPEC is 0. */
const TYPES: Record<string, number> = {
  unicast: 1,
  local: 2,
  broadcast: 3,
  anycast: 4,
  multicast: 5,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
  throw: 9,
  nat: 10,
  xresolve: 11
}
const TYPE_OF: Record<RouteType, number> = {
  unicast: 1,
  local: 2,
  broadcast: 3,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8
}

/** Selector words the lab does not model; refused rather than read as a prefix. */
const UNSIMULATED = ['vrf', 'cached', 'cloned', 'tos', 'dsfield', 'iif', 'mark', 'metric', 'realms', 'from']

/** iproute2's matches(): a non-empty prefix of the keyword. */
const abbreviates = (word: string, keyword: string): boolean => word.length > 0 && keyword.startsWith(word)

/** get_unsigned with base 0, up to 255: a name table's numeric fallback. */
function byteNumber(text: string): number | undefined {
  if (!/^(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.test(text)) return undefined
  const n = text.length > 1 && text.startsWith('0') && !/^0x/i.test(text) ? parseInt(text, 8) : Number(text)
  return n <= 255 ? n : undefined
}

/**
 * get_prefix: `default` is 0/0, `all`/`any` select nothing, and an address may be cut short
 * (`10.244/16`, `0/0`), its missing bytes zero. Without a length it is a host.
 */
export function parseSelectorPrefix(text: string): Cidr | 'any' | undefined {
  if (text === 'default') return makeCidr(0, 0)
  if (text === 'all' || text === 'any') return 'any'
  const [addr, len, extra] = text.split('/')
  if (extra !== undefined || addr === undefined || !/^\d{1,3}(\.\d{1,3}){0,3}$/.test(addr)) return undefined
  const bytes = addr.split('.').map(Number)
  if (bytes.some((b) => b > 255)) return undefined
  const ip = bytes.reduce((acc, b, i) => acc + b * 2 ** (8 * (3 - i)), 0)
  if (len === undefined) return makeCidr(ip, 32)
  if (!/^\d{1,2}$/.test(len) || Number(len) > 32) return undefined
  return makeCidr(ip, Number(len))
}

export const badPrefix = (text: string): CommandOutput =>
  fail(`Error: any valid prefix is expected rather than "${text}".\n`, 1)

/** The selector `ip route show` was given, or what iproute2 says about it. */
export function parseRouteFilter(ns: Netns, args: readonly string[]): RouteFilter | CommandOutput {
  const filter: RouteFilter = { table: 'main' }
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!
    const value = (): string | undefined => args[++i]
    if (abbreviates(word, 'table')) {
      const name = value()
      if (name === undefined) return incomplete()
      const named = name === 'all' ? 'all' : parseTable(name)
      if (named === undefined) return invalidArgument(name, 'table id value is invalid\n')
      filter.table = named
    } else if (UNSIMULATED.includes(word)) {
      return fail(
        `Podnet Lab does not simulate "ip route show ${word}"; it selects by prefix (root, match, exact), table, proto, scope, type, dev, via and src.\n`,
        255
      )
    } else if (abbreviates(word, 'protocol')) {
      const name = value()
      if (name === undefined) return incomplete()
      if (name === 'all') delete filter.proto
      else {
        const proto = parseRouteProto(name)
        if (proto === undefined) return invalidArgument(name, 'invalid "protocol"\n')
        filter.proto = proto
      }
    } else if (abbreviates(word, 'scope')) {
      const name = value()
      if (name === undefined) return incomplete()
      if (name === 'all') delete filter.scope
      else {
        const scope = SCOPES[name] ?? byteNumber(name)
        if (scope === undefined) return invalidArgument(name, 'invalid "scope"\n')
        filter.scope = scope
      }
    } else if (abbreviates(word, 'type')) {
      const name = value()
      if (name === undefined) return incomplete()
      const type = TYPES[name] ?? byteNumber(name)
      if (type === undefined) return invalidArgument(name, 'node type value is invalid\n')
      filter.type = type
    } else if (word === 'dev' || word === 'oif') {
      const name = value()
      if (name === undefined) return incomplete()
      const dev = linkByName(ns, name)
      if (!dev) return fail(`Cannot find device "${name}"\n`, 1)
      filter.dev = dev
    } else if (word === 'via' || word === 'src') {
      const text = value()
      if (text === undefined) return incomplete()
      const prefix = parseSelectorPrefix(text)
      if (prefix === undefined) return badPrefix(text)
      if (prefix === 'any') delete filter[word]
      else filter[word] = prefix
    } else {
      let text = word
      if (abbreviates(text, 'to')) {
        const next = value()
        if (next === undefined) return incomplete()
        text = next
      }
      const kind = abbreviates(text, 'root') ? 'root' : abbreviates(text, 'match') ? 'match' : 'exact'
      if (kind !== 'exact' || abbreviates(text, 'exact')) {
        const next = value()
        if (next === undefined) return incomplete()
        text = next
      }
      const prefix = parseSelectorPrefix(text)
      if (prefix === undefined) return badPrefix(text)
      if (kind !== 'match') setOrClear(filter, 'root', prefix)
      if (kind !== 'root') setOrClear(filter, 'match', prefix)
    }
  }
  return filter
}

function setOrClear(filter: RouteFilter, key: 'root' | 'match', prefix: Cidr | 'any'): void {
  if (prefix === 'any') delete filter[key]
  else filter[key] = prefix
}

/** The first `bits` bits of two addresses agree (inet_addr_match). */
export const samePrefix = (a: number, b: number, bits: number): boolean =>
  ((a ^ b) & prefixMask(bits)) >>> 0 === 0

/** filter_nlmsg for the fields the lab keeps; the table is the caller's to pick. */
export function routeSelected(filter: RouteFilter, r: Route): boolean {
  const { root, match, via, src } = filter
  if (root && (r.dst.prefixLen < root.prefixLen || !samePrefix(r.dst.network, root.network, root.prefixLen)))
    return false
  if (
    match &&
    (r.dst.prefixLen > match.prefixLen || !samePrefix(r.dst.network, match.network, r.dst.prefixLen))
  )
    return false
  if (filter.dev && r.dev !== filter.dev.ifindex) return false
  if (filter.proto !== undefined && r.proto !== filter.proto) return false
  if (filter.scope !== undefined && SCOPE_OF[r.scope] !== filter.scope) return false
  if (filter.type !== undefined && TYPE_OF[r.type] !== filter.type) return false
  if (via && (r.gateway === undefined || !samePrefix(r.gateway, via.network, via.prefixLen))) return false
  if (src && (r.src === undefined || !samePrefix(r.src, src.network, src.prefixLen))) return false
  return true
}

/** print_route leaves out what the selector pinned: a device, a protocol, a scope, a host. */
export function hiddenFields(filter: RouteFilter): HiddenFields {
  return {
    dev: filter.dev !== undefined,
    proto: filter.proto !== undefined,
    scope: filter.scope !== undefined,
    via: filter.via?.prefixLen === 32,
    src: filter.src?.prefixLen === 32
  }
}
