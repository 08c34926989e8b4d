import { cidrBroadcast, cidrContains, makeCidr, type Cidr } from '../net/cidr.ts'
import type { Ipv4 } from '../net/ipv4.ts'
import type { Mac } from '../net/mac.ts'
import type { Address, AddressScope } from './address.ts'
import { emptyStats, type BridgeLink, type Link } from './link.ts'
import { isValidNeighbour, type Neighbour, type NeighbourState } from './neighbour.ts'
import { announceAddr, announceLink, announceNeigh, announceRoutes } from './netlink.ts'
import { linkByIndex, type Netns } from './netns.ts'
import type { Route, RouteTable } from './route.ts'
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

/** Whether a link can pass traffic: up and, for veths, its peer up too; bridges need an up port. */
export function hasCarrier(world: NetnsMap, ns: Netns, link: Link): boolean {
  if (!link.up) return false
  switch (link.kind) {
    case 'veth': {
      const peerNs = world.get(link.peer.netns)
      const peer = peerNs && linkByIndex(peerNs, link.peer.ifindex)
      return peer?.up === true
    }
    case 'bridge':
      for (const l of ns.links) if (l.master === link.ifindex && hasCarrier(world, ns, l)) return true
      return false
    default:
      return true
  }
}

/**
 * Adds an address and the routes the kernel derives from it: `local` in table local always;
 * the prefix route and broadcast only while the link is up (fib_add_ifaddr). `withBroadcast`
 * false is a plain `ip addr add X/N` without `brd +`: the address shows no `brd`, though the
 * network's broadcast is routed all the same.
 */
export function addAddress(
  ns: Netns,
  ifindex: number,
  address: Ipv4,
  prefixLen: number,
  scope: AddressScope = 'global',
  withBroadcast = true
): Address {
  const link = linkByIndex(ns, ifindex)
  const prefix = makeCidr(address, prefixLen)
  const addr: Address = {
    ifindex,
    address,
    prefixLen,
    scope,
    label: link?.name ?? '',
    ...(withBroadcast && prefixLen < 31 && link?.kind !== 'loopback'
      ? { broadcast: cidrBroadcast(prefix) }
      : {})
  }
  ns.addresses.push(addr)
  announceAddr(ns.netlink, { type: 'new', address: addr })
  const routesBefore = ns.routes.length
  ns.routes.push({
    table: 'local',
    type: 'local',
    dst: makeCidr(address, 32),
    dev: ifindex,
    proto: 'kernel',
    scope: 'host',
    src: address,
    onlink: false
  })
  if (link?.up) addPrefixRoutes(ns, addr)
  announceRoutes(ns.netlink, 'new', ns.routes.slice(routesBefore))
  return addr
}

/**
 * Removes an address with the routes the kernel derived from it. With the link's last IPv4
 * address gone the kernel disables IP on it (fib_disable_ip): every route through it goes,
 * and every neighbour entry, PERMANENT ones too.
 */
export function deleteAddress(ns: Netns, addr: Address): void {
  ns.addresses = ns.addresses.filter((a) => a !== addr)
  announceAddr(ns.netlink, { type: 'del', address: addr })
  const dev = addr.ifindex
  if (!ns.addresses.some((a) => a.ifindex === dev)) {
    ns.routes = ns.routes.filter((r) => r.dev !== dev)
    ns.neighbours = ns.neighbours.filter((n) => n.ifindex !== dev)
    return
  }
  const derived = (r: Route): boolean =>
    r.dev === dev &&
    r.proto === 'kernel' &&
    (r.src === addr.address || (r.type === 'local' && r.dst.network === addr.address))
  // The kernel removes the prefix route first and the local one last, the reverse of adding.
  announceRoutes(ns.netlink, 'del', ns.routes.filter(derived).reverse())
  ns.routes = ns.routes.filter((r) => !derived(r))
}

function addPrefixRoutes(ns: Netns, addr: Address): void {
  const prefix = makeCidr(addr.address, addr.prefixLen)
  // On the loopback the whole prefix is local (127.0.0.0/8 answers on every address).
  const loopback = linkByIndex(ns, addr.ifindex)?.kind === 'loopback'
  if (loopback && addr.prefixLen < 32)
    ns.routes.push({
      table: 'local',
      type: 'local',
      dst: prefix,
      dev: addr.ifindex,
      proto: 'kernel',
      scope: 'host',
      src: addr.address,
      onlink: false
    })
  // fib_add_ifaddr routes the network's broadcast whether or not the address carries a `brd`.
  const broadcast = addr.broadcast ?? (addr.prefixLen < 31 ? cidrBroadcast(prefix) : undefined)
  if (broadcast !== undefined) {
    ns.routes.push({
      table: 'local',
      type: 'broadcast',
      dst: makeCidr(broadcast, 32),
      dev: addr.ifindex,
      proto: 'kernel',
      scope: 'link',
      src: addr.address,
      onlink: false
    })
  }
  if (addr.prefixLen < 32 && addr.scope !== 'host') {
    ns.routes.push({
      table: 'main',
      type: 'unicast',
      dst: prefix,
      dev: addr.ifindex,
      proto: 'kernel',
      scope: 'link',
      src: addr.address,
      onlink: false
    })
  }
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
    ns.routes = ns.routes.filter((r) => r.dev !== link.ifindex || r.type === 'local')
    ns.neighbours = ns.neighbours.filter((n) => n.ifindex !== link.ifindex || n.state === 'PERMANENT')
    if (link.kind === 'bridge') link.fdb = link.fdb.filter((e) => e.permanent)
    announceLink(ns.netlink, { link })
  } else {
    announceLink(ns.netlink, { link, settling: true })
    const routesBefore = ns.routes.length
    for (const addr of ns.addresses.filter((a) => a.ifindex === link.ifindex)) addPrefixRoutes(ns, addr)
    announceRoutes(ns.netlink, 'new', ns.routes.slice(routesBefore))
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

export function addRoute(ns: Netns, route: Route): RouteEditResult {
  const exists = ns.routes.some(
    (r) =>
      r.table === route.table &&
      r.dst.network === route.dst.network &&
      r.dst.prefixLen === route.dst.prefixLen &&
      (r.metric ?? 0) === (route.metric ?? 0)
  )
  if (exists) return { ok: false, message: 'RTNETLINK answers: File exists' }
  if (route.table !== 'main' && route.table !== 'local' && !ns.tables?.includes(route.table))
    ns.tables = [...(ns.tables ?? []), route.table]
  if (route.gateway !== undefined && !route.onlink) {
    const reachable = ns.routes.some(
      (r) =>
        r.table === 'main' &&
        r.dev === route.dev &&
        r.gateway === undefined &&
        cidrContains(r.dst, route.gateway!)
    )
    if (!reachable) return { ok: false, message: 'Error: Nexthop has invalid gateway.' }
  }
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
  dev?: number
): RouteEditResult {
  const i = ns.routes.findIndex(
    (r) =>
      r.table === table &&
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
 * A packet goes out through the entry (neigh_event_send): a STALE entry starts the DELAY in
 * which it waits for a confirmation, which only the host's own TCP gives (its ACKs carry
 * dst_pending_confirm); forwarded packets and ICMP never confirm. Neither change is an event.
 */
export function useNeighbour(n: Neighbour, now: number, confirms: boolean): void {
  if (n.state === 'PERMANENT') return
  if (confirms) n.confirmedAt = now
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

/** Adds or refreshes a learned FDB entry; true when the MAC was not known on that port. */
export function learnFdb(br: BridgeLink, mac: Mac, port: number, now: number): boolean {
  let e: BridgeLink['fdb'][number] | undefined
  for (const x of br.fdb) {
    if (x.mac === mac) {
      e = x
      break
    }
  }
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
export function learnFromLinkUpFrames(world: NetnsMap, ns: Netns, link: Link, now: number): void {
  if (link.kind !== 'veth' || !hasCarrier(world, ns, link)) return
  const ends: [Netns, Link][] = [[ns, link]]
  const peerNs = world.get(link.peer.netns)
  const peer = peerNs && linkByIndex(peerNs, link.peer.ifindex)
  if (peerNs && peer) ends.push([peerNs, peer])
  for (const [i, [, sender]] of ends.entries()) {
    const [portNs, port] = ends[1 - i] ?? []
    if (!portNs || !port || port.master === undefined) continue
    if (port.brport?.learning === false) continue
    const br = linkByIndex(portNs, port.master)
    if (br?.kind === 'bridge' && br.up) learnFdb(br, sender.mac, port.ifindex, now)
  }
}
