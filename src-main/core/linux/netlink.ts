import type { Address } from './address.ts'
import type { CtEntry } from './conntrack.ts'
import type { Link } from './link.ts'
import type { Neighbour } from './neighbour.ts'
import type { Route } from './route.ts'
import type { Rule } from './rule.ts'

/**
 * ctnetlink's event groups: NEW when an entry is confirmed, UPDATE when its state, reply or
 * assured flag changes, DESTROY when it expires or is deleted.
 */
export interface CtEvent {
  readonly type: 'NEW' | 'UPDATE' | 'DESTROY'
  readonly entry: CtEntry
  /** The netlink socket that deleted the entry (`conntrack -D`, `-F`); absent when it expired. */
  readonly portid?: number
}

/**
 * RTM_NEWNEIGH / RTM_DELNEIGH: an entry was created or changed its state or address, or was
 * removed. `state` is what the kernel reports at that moment.
 */
export interface NeighEvent {
  readonly type: 'new' | 'del'
  readonly neighbour: Neighbour
  readonly state: Neighbour['state']
}

/**
 * RTM_NEWLINK: a link changed its flags. Bringing a link up reports it twice, first while the
 * carrier is still being set (`settling`), then as it stays.
 */
export interface LinkEvent {
  readonly link: Link
  readonly settling?: true
}

/** RTM_NEWADDR / RTM_DELADDR. */
export interface AddrEvent {
  readonly type: 'new' | 'del'
  readonly address: Address
}

/** RTM_NEWROUTE / RTM_DELROUTE; routes a link's going down flushes are not reported. */
export interface RouteEvent {
  readonly type: 'new' | 'del'
  readonly route: Route
}

/** RTM_NEWRULE / RTM_DELRULE. */
export interface RuleEvent {
  readonly type: 'new' | 'del'
  readonly rule: Rule
}

/**
 * A namespace's netlink multicast groups: who listens to them (`conntrack -E`, `ip monitor`).
 * Live state of the terminals, never replayed or persisted; listeners run synchronously, while
 * the kernel model makes the change.
 */
export interface NetlinkGroups {
  readonly conntrack: Set<(event: CtEvent) => void>
  readonly neigh: Set<(event: NeighEvent) => void>
  readonly link: Set<(event: LinkEvent) => void>
  readonly addr: Set<(event: AddrEvent) => void>
  readonly route: Set<(event: RouteEvent) => void>
  readonly rule: Set<(event: RuleEvent) => void>
}

export function newNetlinkGroups(): NetlinkGroups {
  return {
    conntrack: new Set(),
    neigh: new Set(),
    link: new Set(),
    addr: new Set(),
    route: new Set(),
    rule: new Set()
  }
}

export function announceCt(groups: NetlinkGroups, event: CtEvent): void {
  for (const listener of groups.conntrack) listener(event)
}

export function announceNeigh(groups: NetlinkGroups, event: NeighEvent): void {
  for (const listener of groups.neigh) listener(event)
}

export function announceLink(groups: NetlinkGroups, event: LinkEvent): void {
  for (const listener of groups.link) listener(event)
}

export function announceAddr(groups: NetlinkGroups, event: AddrEvent): void {
  for (const listener of groups.addr) listener(event)
}

/** One event per route, in the order the kernel made the change (fib_add_ifaddr, fib_del_ifaddr). */
export function announceRoutes(
  groups: NetlinkGroups,
  type: RouteEvent['type'],
  routes: readonly Route[]
): void {
  for (const route of routes) for (const listener of groups.route) listener({ type, route })
}

/** One event per rule, in the order the kernel made the change (a flush goes down the list). */
export function announceRules(groups: NetlinkGroups, type: RuleEvent['type'], rules: readonly Rule[]): void {
  for (const rule of rules) for (const listener of groups.rule) listener({ type, rule })
}
