import { cidrBroadcast, makeCidr, prefixMask } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'
import type { Address, AddressScope } from './address.ts'
import type { Link } from './link.ts'
import type { Route } from './route.ts'

/**
 * Which addresses of a link are primary and which routes the kernel derives from them
 * (__inet_insert_ifa, fib_add_ifaddr), as pure functions of the address list.
 */

/** rtnetlink's numeric scopes: a smaller number reaches further. */
const SCOPE_RANK: Record<AddressScope, number> = { global: 0, link: 253, host: 254 }

function sameSubnet(a: Pick<Address, 'address' | 'prefixLen'>, b: Address): boolean {
  const mask = prefixMask(a.prefixLen)
  return a.prefixLen === b.prefixLen && ((a.address ^ b.address) & mask) === 0
}

/**
 * The primaries of a list by subnet, for callers that look many up at once; `primaryFor` of
 * any address equals `get` on it. Kept by network number: a text key per address, with its
 * address printed in decimal, was most of what adding an address cost.
 */
export class PrimaryIndex {
  private readonly byNetwork = new Map<number, Address[]>()
  constructor(addresses: readonly Address[]) {
    for (const a of addresses) this.note(a)
  }
  /** Records a newly listed address; the first primary of a subnet stays its primary. */
  note(a: Address): void {
    if (a.secondary !== undefined || this.get(a) !== undefined) return
    const network = makeCidr(a.address, a.prefixLen).network
    const same = this.byNetwork.get(network)
    if (same === undefined) this.byNetwork.set(network, [a])
    else same.push(a)
  }
  get(a: Pick<Address, 'ifindex' | 'address' | 'prefixLen'>): Address | undefined {
    const same = this.byNetwork.get(makeCidr(a.address, a.prefixLen).network)
    if (same !== undefined)
      for (const p of same) if (p.ifindex === a.ifindex && p.prefixLen === a.prefixLen) return p
    return undefined
  }
}

/** The primary address whose subnet (network and prefix length) `a` falls in, on the same link. */
export function primaryFor(
  addresses: readonly Address[],
  a: Pick<Address, 'ifindex' | 'address' | 'prefixLen'>
): Address | undefined {
  return addresses.find((p) => p.ifindex === a.ifindex && p.secondary === undefined && sameSubnet(a, p))
}

/**
 * Where __inet_insert_ifa puts an address in the list: a secondary last, a primary after the
 * link's last primary of the same or a narrower scope (before the link's first address if none).
 */
export function insertionIndex(addresses: readonly Address[], a: Address): number {
  // The common case, cheaply: the link's addresses end the list with a primary `a` may follow.
  const tail = addresses[addresses.length - 1]
  if (
    a.secondary ||
    (tail !== undefined &&
      tail.ifindex === a.ifindex &&
      tail.secondary === undefined &&
      SCOPE_RANK[a.scope] <= SCOPE_RANK[tail.scope])
  )
    return addresses.length
  let at = -1
  let first = -1
  let last = -1
  addresses.forEach((p, i) => {
    if (p.ifindex !== a.ifindex) return
    if (first === -1) first = i
    last = i
    if (p.secondary === undefined && SCOPE_RANK[a.scope] <= SCOPE_RANK[p.scope]) at = i + 1
  })
  // Other links' addresses are interleaved in the one list: one that goes last on its link is appended.
  if (a.secondary || last === -1 || at === last + 1) return addresses.length
  return at !== -1 ? at : first
}

function hostRoute(type: 'local' | 'broadcast', dst: Ipv4, dev: number, src: Ipv4): Route {
  return {
    table: 'local',
    type,
    dst: makeCidr(dst, 32),
    dev,
    proto: 'kernel',
    scope: type === 'local' ? 'host' : 'link',
    src,
    onlink: false
  }
}

/** Routes the kernel made for addresses: removed or replaced when the addresses change. */
export function isDerivedFrom(r: Route, ifindex: number): boolean {
  if (r.dev !== ifindex || r.proto !== 'kernel' || r.gateway !== undefined) return false
  return r.table === 'local'
    ? r.type === 'local' || r.type === 'broadcast'
    : r.table === 'main' && r.type === 'unicast'
}

/**
 * The kernel keeps one route per key: adding an identical one is a silent no-op (fib_magic).
 * Two routes with one key are the same route.
 */
export function routeKey(r: Route): string {
  return `${r.table} ${r.type} ${r.dst.network}/${r.dst.prefixLen} ${r.dev} ${r.src} ${r.scope}`
}

/** Whether two routes have one routeKey, without printing either. */
function sameRouteKey(a: Route, b: Route): boolean {
  return (
    a.dst.network === b.dst.network &&
    a.dst.prefixLen === b.dst.prefixLen &&
    a.table === b.table &&
    a.type === b.type &&
    a.dev === b.dev &&
    a.src === b.src &&
    a.scope === b.scope
  )
}

/** A set of routes by routeKey, kept by destination network rather than by the printed key. */
export class RouteKeySet {
  private readonly byNetwork = new Map<number, Route[]>()
  constructor(routes: Iterable<Route>) {
    for (const r of routes) this.add(r)
  }
  /** Adds the route unless one with its key is in already; false when one was. */
  add(r: Route): boolean {
    const same = this.byNetwork.get(r.dst.network)
    if (same === undefined) {
      this.byNetwork.set(r.dst.network, [r])
      return true
    }
    for (const x of same) if (sameRouteKey(x, r)) return false
    same.push(r)
    return true
  }
}

/**
 * fib_add_ifaddr for one address whose subnet's primary is `prim`: `local` always, with the
 * primary as source; while the link is up the explicit broadcast, and for a primary the prefix
 * route (a `local` one on the loopback) and the network's broadcast.
 */
export function addressRoutes(a: Address, prim: Address, link: Link): Route[] {
  const out = [hostRoute('local', a.address, link.ifindex, prim.address)]
  if (!link.up) return out
  if (a.broadcast !== undefined) out.push(hostRoute('broadcast', a.broadcast, link.ifindex, prim.address))
  const prefix = makeCidr(a.address, a.prefixLen)
  if (a.secondary || prefix.network === 0 || (prefix.network === a.address && a.prefixLen === 32)) return out
  const loopback = link.kind === 'loopback'
  out.push({
    table: loopback ? 'local' : 'main',
    type: loopback ? 'local' : 'unicast',
    dst: prefix,
    dev: link.ifindex,
    proto: 'kernel',
    scope: loopback ? 'host' : 'link',
    src: a.address,
    onlink: false
  })
  if (a.prefixLen < 31) out.push(hostRoute('broadcast', cidrBroadcast(prefix), link.ifindex, a.address))
  return out
}

/** addressRoutes for every address of the link, in list order, each route once. */
export function derivedRoutes(addresses: readonly Address[], link: Link): Route[] {
  const out = new Map<string, Route>()
  const ofLink = addresses.filter((a) => a.ifindex === link.ifindex)
  const primaries = new PrimaryIndex(ofLink)
  for (const a of ofLink) {
    const prim = a.secondary ? primaries.get(a) : a
    if (!prim) continue
    for (const r of addressRoutes(a, prim, link)) {
      const key = routeKey(r)
      if (!out.has(key)) out.set(key, r)
    }
  }
  return [...out.values()]
}
