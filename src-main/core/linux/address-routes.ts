import { cidrBroadcast, cidrContains, makeCidr } from '../net/cidr.ts'
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
  return a.prefixLen === b.prefixLen && cidrContains(makeCidr(b.address, b.prefixLen), a.address)
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

/** The kernel keeps one route per key: adding an identical one is a silent no-op (fib_magic). */
export function sameRoute(a: Route, b: Route): boolean {
  return (
    a.table === b.table &&
    a.type === b.type &&
    a.dst.network === b.dst.network &&
    a.dst.prefixLen === b.dst.prefixLen &&
    a.dev === b.dev &&
    a.src === b.src &&
    a.scope === b.scope
  )
}

/**
 * fib_add_ifaddr for every address of the link, in list order: `local` always, with the
 * subnet's primary as source; while the link is up the explicit broadcast, and for a primary
 * the prefix route (a `local` one on the loopback) and the network's broadcast.
 */
export function derivedRoutes(addresses: readonly Address[], link: Link): Route[] {
  const out: Route[] = []
  const add = (r: Route): void => {
    if (!out.some((o) => sameRoute(o, r))) out.push(r)
  }
  for (const a of addresses) {
    if (a.ifindex !== link.ifindex) continue
    const prim = a.secondary ? primaryFor(addresses, a) : a
    if (!prim) continue
    add(hostRoute('local', a.address, link.ifindex, prim.address))
    if (!link.up) continue
    if (a.broadcast !== undefined) add(hostRoute('broadcast', a.broadcast, link.ifindex, prim.address))
    const prefix = makeCidr(a.address, a.prefixLen)
    if (a.secondary || prefix.network === 0 || (prefix.network === a.address && a.prefixLen === 32)) continue
    const loopback = link.kind === 'loopback'
    add({
      table: loopback ? 'local' : 'main',
      type: loopback ? 'local' : 'unicast',
      dst: prefix,
      dev: link.ifindex,
      proto: 'kernel',
      scope: loopback ? 'host' : 'link',
      src: a.address,
      onlink: false
    })
    if (a.prefixLen < 31) add(hostRoute('broadcast', cidrBroadcast(prefix), link.ifindex, a.address))
  }
  return out
}
