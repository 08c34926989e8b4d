import { cidrBroadcast, cidrContains, makeCidr, type Cidr } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'
import type { Mac } from '../net/mac.ts'
import type { Address, AddressScope } from './address.ts'
import {
  derivedRoutes,
  insertionIndex,
  isDerivedFrom,
  PrimaryIndex,
  addressRoutes,
  primaryFor,
  routeKey,
  RouteKeySet
} from './address-routes.ts'
import { emptyStats, hasHadPort, type BridgeFdbEntry, type BridgeLink, type Link } from './link.ts'
import { isValidNeighbour, type Neighbour, type NeighbourState } from './neighbour.ts'
import { announceAddr, announceLink, announceNeigh, announceRoutes } from './netlink.ts'
import { linkByIndex, type Netns } from './netns.ts'
import type { Route, RouteTable, RouteType } from './route.ts'
import { DEFAULT_RULES, ruleMatches, type Flow } from './rule.ts'
import { interfaceConf } from './sysctl.ts'

/** All namespaces by id: links refer across namespaces (veth peers). */
export type NetnsMap = ReadonlyMap<string, Netns>

type NewLink = Omit<Link, 'ifindex' | 'stats' | 'txqlen'> & { txqlen?: number }

/** Adds a link with the next ifindex of its namespace, as the kernel numbers them. */
export function addLink<T extends Link>(
  ns: Netns,
  link: Omit<T, 'ifindex' | 'stats' | 'txqlen'> & { txqlen?: number }
): T {
  const full = { txqlen: 1000, ...(link as NewLink), ifindex: ns.nextIfindex++, stats: emptyStats() } as T
  ns.links.push(full)
  return full
}

/**
 * Whether a link can pass traffic: up and, for veths, its peer up too. A bridge has carrier
 * until it gets its first port, and from then on only while a port has (br_port_state_selection).
 */
export function hasCarrier(world: NetnsMap, ns: Netns, link: Link): boolean {
  if (!link.up) return false
  switch (link.kind) {
    case 'veth': {
      const peerNs = world.get(link.peer.netns)
      const peer = peerNs && linkByIndex(peerNs, link.peer.ifindex)
      return peer?.up === true
    }
    case 'bridge':
      if (!hasHadPort(link)) return true
      for (const l of ns.links) if (l.master === link.ifindex && hasCarrier(world, ns, l)) return true
      return false
    default:
      return true
  }
}

/**
 * Brings the kernel's address routes of a link in line with its addresses (derivedRoutes):
 * removes those no address asks for any more, prefix routes first and `local` ones last as
 * fib_del_ifaddr does, and adds the missing ones in the order fib_add_ifaddr makes them.
 */
function syncDerivedRoutes(ns: Netns, link: Link): void {
  const wanted = derivedRoutes(ns.addresses, link)
  const wantedKeys = new Set(wanted.map(routeKey))
  const had = ns.routes.filter((r) => isDerivedFrom(r, link.ifindex))
  const hadKeys = new Set(had.map(routeKey))
  const gone = new Set(had.filter((r) => !wantedKeys.has(routeKey(r))))
  const added = wanted.filter((w) => !hadKeys.has(routeKey(w)))
  const deleteOrder = (r: Route): number => (r.type === 'unicast' ? 0 : r.type === 'broadcast' ? 1 : 2)
  if (gone.size > 0) ns.routes = ns.routes.filter((r) => !gone.has(r))
  announceRoutes(
    ns.netlink,
    'del',
    [...gone].sort((a, b) => deleteOrder(a) - deleteOrder(b))
  )
  ns.routes.push(...added)
  announceRoutes(ns.netlink, 'new', added)
}

/** An address for `addAddress`/`addAddresses`: `ip addr add` with its options. */
export interface NewAddress {
  address: Ipv4
  prefixLen: number
  scope?: AddressScope
  /** False is a plain `ip addr add X/N` without `brd +`: the address shows no `brd`, though the network's broadcast is routed all the same. */
  withBroadcast?: boolean
}

/**
 * Adds one address where __inet_insert_ifa lists it (in the subnet of a primary it is
 * secondary), then the routes fib_add_ifaddr makes for it that the table lacks.
 */
function insertAddress(
  ns: Netns,
  link: Link | undefined,
  ifindex: number,
  spec: NewAddress,
  primaries: PrimaryIndex,
  routeKeys: RouteKeySet
): Address {
  const { address, prefixLen, scope = 'global', withBroadcast = true } = spec
  const primary = primaries.get({ ifindex, address, prefixLen })
  const addr: Address = {
    ifindex,
    address,
    prefixLen,
    scope,
    label: link?.name ?? '',
    ...(withBroadcast && prefixLen < 31 && link?.kind !== 'loopback'
      ? { broadcast: cidrBroadcast(makeCidr(address, prefixLen)) }
      : {}),
    ...(primary ? { secondary: true as const } : {})
  }
  ns.addresses.splice(insertionIndex(ns.addresses, addr), 0, addr)
  primaries.note(addr)
  announceAddr(ns.netlink, { type: 'new', address: addr })
  if (!link) return addr
  const added = addressRoutes(addr, primary ?? addr, link).filter((r) => routeKeys.add(r))
  ns.routes.push(...added)
  announceRoutes(ns.netlink, 'new', added)
  return addr
}

/** The link's address index and route keys that insertAddress consults. */
function addressContext(ns: Netns, ifindex: number): { primaries: PrimaryIndex; routeKeys: RouteKeySet } {
  return {
    primaries: new PrimaryIndex(ns.addresses.filter((a) => a.ifindex === ifindex)),
    routeKeys: new RouteKeySet(ns.routes.filter((r) => isDerivedFrom(r, ifindex)))
  }
}

/** Adds an address and the routes the kernel derives from it. */
export function addAddress(
  ns: Netns,
  ifindex: number,
  address: Ipv4,
  prefixLen: number,
  scope: AddressScope = 'global',
  withBroadcast = true
): Address {
  const { primaries, routeKeys } = addressContext(ns, ifindex)
  const spec = { address, prefixLen, scope, withBroadcast }
  return insertAddress(ns, linkByIndex(ns, ifindex), ifindex, spec, primaries, routeKeys)
}

/**
 * `addAddress` for each address in turn, in time linear in the link's addresses: kube-proxy's
 * IPVS mode puts every ClusterIP on kube-ipvs0.
 */
export function addAddresses(ns: Netns, ifindex: number, specs: readonly NewAddress[]): void {
  const { primaries, routeKeys } = addressContext(ns, ifindex)
  const link = linkByIndex(ns, ifindex)
  for (const spec of specs) insertAddress(ns, link, ifindex, spec, primaries, routeKeys)
}

/** promote_secondaries is read with IN_DEV_ORCONF: `all` or the link's own. */
function promotesSecondaries(ns: Netns, link: Link): boolean {
  return (
    ns.sysctl['net.ipv4.conf.all.promote_secondaries'] === '1' ||
    interfaceConf(ns, link, 'promote_secondaries') === '1'
  )
}

/**
 * Removes an address with the routes the kernel derived from it. A primary takes the
 * secondaries of its subnet with it, unless promote_secondaries makes the first of them the
 * new primary (inet_del_ifa). With the link's last IPv4 address gone the kernel disables IP
 * on it (fib_disable_ip): every route through it goes, and every neighbour entry, PERMANENT
 * ones too.
 */
export function deleteAddress(ns: Netns, addr: Address): void {
  const link = linkByIndex(ns, addr.ifindex)
  const secondaries =
    addr.secondary === undefined
      ? ns.addresses.filter(
          (a) =>
            a.ifindex === addr.ifindex &&
            a.secondary &&
            a.prefixLen === addr.prefixLen &&
            primaryFor([addr], a) === addr
        )
      : []
  const promoted = link && promotesSecondaries(ns, link) ? secondaries[0] : undefined
  const dropped = promoted ? [] : secondaries
  for (const s of dropped) announceAddr(ns.netlink, { type: 'del', address: s })
  ns.addresses = ns.addresses.filter((a) => a !== addr && !dropped.includes(a) && a !== promoted)
  announceAddr(ns.netlink, { type: 'del', address: addr })
  if (promoted) {
    delete promoted.secondary
    ns.addresses.splice(insertionIndex(ns.addresses, promoted), 0, promoted)
    announceAddr(ns.netlink, { type: 'new', address: promoted })
  }
  const dev = addr.ifindex
  if (!ns.addresses.some((a) => a.ifindex === dev)) {
    ns.routes = ns.routes.filter((r) => r.dev !== dev)
    ns.neighbours = ns.neighbours.filter((n) => n.ifindex !== dev)
  } else if (link) syncDerivedRoutes(ns, link)
  // fib_sync_down_addr, after the address's own routes: a route preferring an address no link
  // has any more goes too, in every table.
  for (const gone of [addr, ...dropped])
    if (!ns.addresses.some((a) => a.address === gone.address))
      ns.routes = ns.routes.filter((r) => r.src !== gone.address)
}

/**
 * `ip link set X up|down`. Down removes every route through the link except its `local`
 * addresses (which is why kube-ipvs0 answers while DOWN), and its neighbour entries but
 * PERMANENT ones; up restores the kernel's prefix routes.
 */
export function setLinkUp(ns: Netns, link: Link, up: boolean): void {
  if (link.up === up) return
  link.up = up
  if (!up) {
    delete link.linkLocal
    ns.routes = ns.routes.filter((r) => r.dev !== link.ifindex || r.type === 'local')
    ns.neighbours = ns.neighbours.filter((n) => n.ifindex !== link.ifindex || n.state === 'PERMANENT')
    if (link.kind === 'bridge') link.fdb = link.fdb.filter((e) => e.permanent)
    announceLink(ns.netlink, { link })
  } else {
    announceLink(ns.netlink, { link, settling: true })
    syncDerivedRoutes(ns, link)
    announceLink(ns.netlink, { link })
  }
}

function routeSpecificity(r: Route): number {
  return r.dst.prefixLen * 1_000_000 - (r.metric ?? 0)
}

/**
 * The FIB lookup for a locally generated packet to `dst` with no source, mark or device chosen.
 * With the default rules that is table local, then main, then default, each by longest prefix,
 * then lowest metric, then first added.
 */
export function lookupRoute(ns: Netns, dst: Ipv4): Route | undefined {
  if (ns.rules !== undefined) return lookupFlow(ns, { dst, src: 0, mark: 0, iif: 'lo' })
  return (
    bestRoute(ns.routes, 'local', dst) ??
    bestRoute(ns.routes, 'main', dst) ??
    (ns.tables === undefined ? undefined : bestRoute(ns.routes, 'default', dst))
  )
}

/** What a `prohibit` or `blackhole` rule ends a lookup with, as the route type of that name would. */
const RULE_VERDICTS = {
  prohibit: {
    table: 'main',
    type: 'prohibit',
    dst: makeCidr(0, 0),
    proto: 'boot',
    scope: 'global',
    onlink: false
  },
  blackhole: {
    table: 'main',
    type: 'blackhole',
    dst: makeCidr(0, 0),
    proto: 'boot',
    scope: 'global',
    onlink: false
  }
} as const satisfies Record<string, Route>

/**
 * fib_rules_lookup: the rules in preference order; the first whose table has a route for the
 * flow decides, a table without one passes on to the next rule. An `unreachable` rule, like
 * running out of rules, leaves no route (ENETUNREACH).
 */
export function lookupFlow(ns: Netns, flow: Flow): Route | undefined {
  if (ns.rules === undefined) return lookupRoute(ns, flow.dst)
  for (const rule of ns.rules) {
    if (!ruleMatches(rule, flow)) continue
    if (rule.action === 'unreachable') return undefined
    if (rule.action !== 'lookup') return RULE_VERDICTS[rule.action]
    const found = bestRoute(ns.routes, rule.table!, flow.dst)
    if (found) return found
  }
  return undefined
}

/**
 * ip_route_output_key_hash for a socket bound to a device (SO_BINDTODEVICE): the rules see the
 * device as oif and a table's routes count only through that device. Where the lookup fails,
 * on no route as on a blackhole, unreachable or prohibit one, the kernel assumes the
 * destination is on the device's link.
 */
export function lookupBound(ns: Netns, flow: Flow, oif: number): Route {
  for (const rule of ns.rules ?? DEFAULT_RULES) {
    if (!ruleMatches(rule, flow)) continue
    if (rule.action !== 'lookup') break
    const found = bestRoute(ns.routes, rule.table!, flow.dst, oif)
    if (found && routeErrno(found) === undefined) return found
    if (found) break
  }
  return {
    table: 'main',
    type: 'unicast',
    dst: makeCidr(flow.dst, 32),
    dev: oif,
    proto: 'boot',
    scope: 'link',
    onlink: false
  }
}

/** The error a lookup's answer gives the sender (fib_props, fib4_rule_action); none for a usable route. */
export function routeErrno(
  route: Route | undefined
): 'ENETUNREACH' | 'EHOSTUNREACH' | 'EACCES' | 'EINVAL' | undefined {
  if (route === undefined) return 'ENETUNREACH'
  if (route.type === 'unreachable') return 'EHOSTUNREACH'
  if (route.type === 'prohibit') return 'EACCES'
  if (route.type === 'blackhole') return 'EINVAL'
  return undefined
}

function bestRoute(routes: readonly Route[], table: RouteTable, dst: Ipv4, oif?: number): Route | undefined {
  let best: Route | undefined
  for (const r of routes) {
    if (r.table !== table || !cidrContains(r.dst, dst)) continue
    if (oif !== undefined && r.dev !== oif && r.dev !== undefined) continue
    if (!best || routeSpecificity(r) > routeSpecificity(best)) best = r
  }
  return best
}

/** The source address the kernel picks for a route: its `src`, else the first address of the device in the same subnet as the next hop, else the first global one. */
export function pickSource(ns: Netns, route: Route, dst: Ipv4): Ipv4 | undefined {
  if (route.src !== undefined) return route.src
  // Loops rather than filter/find: every probe and every masquerade asks.
  const hop = route.gateway ?? dst
  // inet_select_addr: with route_localnet a host-scope address (lo's 127.0.0.1) qualifies too.
  const dev = route.dev === undefined ? undefined : linkByIndex(ns, route.dev)
  const localnet =
    dev !== undefined &&
    (ns.sysctl['net.ipv4.conf.all.route_localnet'] === '1' ||
      interfaceConf(ns, dev, 'route_localnet') === '1')
  let first: Ipv4 | undefined
  for (const a of ns.addresses) {
    if (a.ifindex !== route.dev || (a.scope === 'host' && !localnet)) continue
    if (cidrContains(makeCidr(a.address, a.prefixLen), hop)) return a.address
    first ??= a.address
  }
  if (first !== undefined) return first
  for (const a of ns.addresses) if (a.scope === 'global') return a.address
  return undefined
}

/** True when `ip` is one of the namespace's own addresses (addrtype LOCAL). */
export function isLocalAddress(ns: Netns, ip: Ipv4): boolean {
  for (const r of ns.routes)
    if (r.table === 'local' && r.type === 'local' && cidrContains(r.dst, ip)) return true
  return false
}

export type RouteEditResult = { ok: true } | { ok: false; message: string }

/**
 * fib_check_nh_v4_gw: the route that puts a gateway on a link. Only routes of scope link or
 * host count (one via another gateway does not), and with `dev` given only those out of it;
 * the route's own table is asked first unless it is main, then the rules as for any lookup.
 * Carrier plays no part. The caller still checks the answer is unicast or local.
 */
export function gatewayRoute(ns: Netns, table: RouteTable, gateway: Ipv4, dev?: Link): Route | undefined {
  const usable = ns.routes.filter((r) => r.scope !== 'global' && (dev === undefined || r.dev === dev.ifindex))
  const inTable = (t: RouteTable): Route | undefined => bestRoute(usable, t, gateway)
  if (table !== 'main') {
    const own = inTable(table)
    if (own) return own
  }
  if (ns.rules === undefined)
    return inTable('local') ?? inTable('main') ?? (ns.tables === undefined ? undefined : inTable('default'))
  const flow: Flow = { dst: gateway, src: 0, mark: 0, iif: 'lo', ...(dev ? { oif: dev.name } : {}) }
  for (const rule of ns.rules) {
    if (!ruleMatches(rule, flow)) continue
    if (rule.action !== 'lookup') return undefined
    const found = inTable(rule.table!)
    if (found) return found
  }
  return undefined
}

/** fib_check_nh: what the kernel refuses about a unicast route's next hop, as `ip` reports it. */
function nexthopError(ns: Netns, route: Route): string | undefined {
  const dev = route.dev === undefined ? undefined : linkByIndex(ns, route.dev)
  if (!dev) return undefined
  if (route.onlink) return dev.up ? undefined : 'Error: Nexthop device is not up.'
  if (route.gateway === undefined) return dev.up ? undefined : 'Error: Device for nexthop is not up.'
  const via = gatewayRoute(ns, route.table, route.gateway, dev)
  if (via?.type !== 'unicast' && via?.type !== 'local') return 'Error: Nexthop has invalid gateway.'
  return dev.up ? undefined : 'Error: Nexthop device is not up.'
}

export function addRoute(ns: Netns, route: Route): RouteEditResult {
  // inet_rtm_newroute makes the table before it checks the next hop.
  if (route.table !== 'main' && route.table !== 'local' && !ns.tables?.includes(route.table))
    ns.tables = [...(ns.tables ?? []), route.table]
  const refused = route.type === 'unicast' ? nexthopError(ns, route) : undefined
  if (refused !== undefined) return { ok: false, message: refused }
  const exists = ns.routes.some(
    (r) =>
      r.table === route.table &&
      r.dst.network === route.dst.network &&
      r.dst.prefixLen === route.dst.prefixLen &&
      (r.metric ?? 0) === (route.metric ?? 0)
  )
  if (exists) return { ok: false, message: 'RTNETLINK answers: File exists' }
  ns.routes.push(route)
  announceRoutes(ns.netlink, 'new', [route])
  return { ok: true }
}

/** A route via `gateway` out of `dev`, as `ip route add` and the CNI plugins write one: proto boot. */
export function addBootRoute(
  ns: Netns,
  dst: Cidr,
  gateway: Ipv4,
  dev: number,
  onlink = false
): RouteEditResult {
  return addRoute(ns, {
    table: 'main',
    type: 'unicast',
    dst,
    gateway,
    dev,
    proto: 'boot',
    scope: 'global',
    onlink
  })
}

/** Deletes the first route matching the given prefix (and, when given, gateway and device). */
export function deleteRoute(
  ns: Netns,
  dst: Cidr,
  table: RouteTable,
  gateway?: Ipv4,
  dev?: number,
  type?: RouteType
): RouteEditResult {
  const i = ns.routes.findIndex(
    (r) =>
      r.table === table &&
      (type === undefined || r.type === type) &&
      r.dst.network === dst.network &&
      r.dst.prefixLen === dst.prefixLen &&
      (gateway === undefined || r.gateway === gateway) &&
      (dev === undefined || r.dev === dev)
  )
  if (i === -1) return { ok: false, message: 'RTNETLINK answers: No such process' }
  announceRoutes(ns.netlink, 'del', ns.routes.splice(i, 1))
  return { ok: true }
}

export function findNeighbour(ns: Netns, ifindex: number, ip: Ipv4): Neighbour | undefined {
  for (const n of ns.neighbours) if (n.ifindex === ifindex && n.ip === ip) return n
  return undefined
}

/**
 * Creates or refreshes an entry (neigh_update); PERMANENT entries are never overwritten by
 * learning, and a valid entry told STALE with the address it already has keeps its state. A
 * new entry, or a change of the state or address, is an RTM_NEWNEIGH event.
 */
export function setNeighbour(
  ns: Netns,
  ifindex: number,
  ip: Ipv4,
  lladdr: Mac | undefined,
  state: NeighbourState,
  now: number
): Neighbour {
  const connected = state === 'REACHABLE' || state === 'PERMANENT'
  const existing = findNeighbour(ns, ifindex, ip)
  if (existing) {
    if (existing.state === 'PERMANENT' && state !== 'PERMANENT') return existing
    if (connected) existing.confirmedAt = now
    if (state === 'STALE' && isValidNeighbour(existing) && (lladdr ?? existing.lladdr) === existing.lladdr)
      return existing
    const { state: was, lladdr: had } = existing
    if (lladdr !== undefined) existing.lladdr = lladdr
    existing.state = state
    existing.updatedAt = now
    if (state !== was || existing.lladdr !== had)
      announceNeigh(ns.netlink, { type: 'new', neighbour: existing, state })
    return existing
  }
  const entry: Neighbour = {
    ip,
    ifindex,
    state,
    confirmedAt: connected ? now : -Infinity,
    updatedAt: now,
    usedAt: -Infinity,
    probes: 0,
    ...(lladdr === undefined ? {} : { lladdr })
  }
  ns.neighbours.push(entry)
  announceNeigh(ns.netlink, { type: 'new', neighbour: entry, state })
  return entry
}

/**
 * A packet finds no usable entry (neigh_event_send): the entry, made or reused, turns INCOMPLETE
 * as its broadcast requests begin at `at`. The kernel announces neither this nor the new entry,
 * only the FAILED its timer reaches if nobody answers.
 */
export function startResolution(ns: Netns, ifindex: number, ip: Ipv4, at: number): Neighbour {
  const existing = findNeighbour(ns, ifindex, ip)
  if (existing) {
    existing.state = 'INCOMPLETE'
    existing.updatedAt = at
    return existing
  }
  const entry: Neighbour = {
    ip,
    ifindex,
    state: 'INCOMPLETE',
    confirmedAt: -Infinity,
    updatedAt: at,
    usedAt: -Infinity,
    probes: 0
  }
  ns.neighbours.push(entry)
  return entry
}

/**
 * A packet goes out through the entry (neigh_event_send): a STALE entry starts the DELAY in
 * which it waits for a confirmation, which only the host's own TCP gives (its ACKs carry
 * dst_pending_confirm); forwarded packets and ICMP never confirm. Neither change is an event.
 */
export function useNeighbour(n: Neighbour, now: number, confirms: boolean): void {
  if (n.state === 'PERMANENT') return
  // A confirmation never moves back before the ARP reply a queued packet is waiting for.
  if (confirms && now > n.confirmedAt) n.confirmedAt = now
  n.usedAt = now
  if (n.state === 'STALE') {
    n.state = 'DELAY'
    n.updatedAt = now
  }
}

/** `ip neigh del`: the kernel first fails the entry, then removes it, and reports both. */
export function deleteNeighbour(ns: Netns, ifindex: number, ip: Ipv4): boolean {
  const n = findNeighbour(ns, ifindex, ip)
  if (!n) return false
  ns.neighbours = ns.neighbours.filter((x) => x !== n)
  announceNeigh(ns.netlink, { type: 'new', neighbour: n, state: 'FAILED' })
  announceNeigh(ns.netlink, { type: 'del', neighbour: n, state: 'FAILED' })
  return true
}

/** Enslaves `port` to `bridge` and installs the port's own MAC as a permanent FDB entry. */
export function enslave(port: Link, bridge: Link, now: number): void {
  if (bridge.kind !== 'bridge') throw new Error(`${bridge.name} is not a bridge`)
  port.master = bridge.ifindex
  port.brport = { hairpin: false, learning: true, flood: true, portNo: bridge.nextPortNo++ }
  bridge.fdb.push({ mac: port.mac, port: port.ifindex, permanent: true, local: true, updatedAt: now })
}

/**
 * Bridges' FDBs by MAC, for a caller that adds many ports in a row (a lab build): learning
 * otherwise looks through every entry of the bridge for each new one. Entries appended since the
 * last look are taken in, and a table replaced (as deleting and ageing do) is indexed anew; an
 * entry changed in place is not seen, so the index lives no longer than the caller's batch.
 */
export type FdbIndex = WeakMap<
  BridgeLink,
  { fdb: BridgeFdbEntry[]; indexed: number; byMac: Map<Mac, BridgeFdbEntry> }
>

/** The first entry for `mac`, as a scan of the table would find it. */
function fdbEntry(br: BridgeLink, mac: Mac, index: FdbIndex | undefined): BridgeFdbEntry | undefined {
  if (index === undefined) {
    for (const x of br.fdb) if (x.mac === mac) return x
    return undefined
  }
  let known = index.get(br)
  if (known === undefined || known.fdb !== br.fdb) {
    known = { fdb: br.fdb, indexed: 0, byMac: new Map() }
    index.set(br, known)
  }
  for (; known.indexed < br.fdb.length; known.indexed++) {
    const x = br.fdb[known.indexed]!
    if (!known.byMac.has(x.mac)) known.byMac.set(x.mac, x)
  }
  return known.byMac.get(mac)
}

/** Adds or refreshes a learned FDB entry; true when the MAC was not known on that port. */
export function learnFdb(br: BridgeLink, mac: Mac, port: number, now: number, index?: FdbIndex): boolean {
  const e = fdbEntry(br, mac, index)
  if (e) {
    if (e.permanent) return false
    const moved = e.port !== port
    e.port = port
    e.updatedAt = now
    return moved
  }
  br.fdb.push({ mac, port, permanent: false, local: false, updatedAt: now })
  return true
}

/**
 * When a veth gains carrier, both ends start IPv6 duplicate address detection on their
 * link-local addresses and send MLD reports and a router solicitation. An end whose peer is a
 * bridge port therefore teaches that bridge its MAC within a second of link-up, before any IPv4
 * frame: why `bridge fdb show br cni0` lists every pod as learned on a real node.
 */
export function learnFromLinkUpFrames(
  world: NetnsMap,
  ns: Netns,
  link: Link,
  now: number,
  index?: FdbIndex
): void {
  if (link.kind !== 'veth' || !hasCarrier(world, ns, link)) return
  const peerNs = world.get(link.peer.netns)
  const peer = peerNs && linkByIndex(peerNs, link.peer.ifindex)
  if (!peerNs || !peer) return
  learnOnPort(peerNs, peer, link.mac, now, index)
  learnOnPort(ns, link, peer.mac, now, index)
}

/** The bridge `port` is enslaved to learns `mac` on it, unless learning is off there. */
function learnOnPort(ns: Netns, port: Link, mac: Mac, now: number, index: FdbIndex | undefined): void {
  if (port.master === undefined || port.brport?.learning === false) return
  const br = linkByIndex(ns, port.master)
  if (br?.kind === 'bridge' && br.up) learnFdb(br, mac, port.ifindex, now, index)
}

/**
 * addrconf on carrier: a link that is up and has carrier, then its veth peer, then the bridges
 * either is a port of, each get their link-local address now if they have none yet.
 */
export function addLinkLocalOnCarrier(world: NetnsMap, ns: Netns, link: Link, now: number): void {
  const ends: [Netns, Link][] = [[ns, link]]
  const peerNs = link.kind === 'veth' ? world.get(link.peer.netns) : undefined
  const peer = peerNs && link.kind === 'veth' ? linkByIndex(peerNs, link.peer.ifindex) : undefined
  if (peerNs && peer) ends.push([peerNs, peer])
  for (const [home, l] of [...ends]) {
    const br = l.master === undefined ? undefined : linkByIndex(home, l.master)
    if (br) ends.push([home, br])
  }
  for (const [home, l] of ends) {
    if (l.linkLocal !== undefined || l.kind === 'loopback' || !hasCarrier(world, home, l)) continue
    const seq = Math.max(0, ...home.links.map((x) => x.linkLocal?.seq ?? 0)) + 1
    l.linkLocal = { at: now, seq }
  }
}
