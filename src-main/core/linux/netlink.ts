import type { CtEntry } from './conntrack.ts'
import type { Neighbour } from './neighbour.ts'

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
 * A namespace's netlink multicast groups: who listens to them (`conntrack -E`, `ip monitor`).
 * Live state of the terminals, never replayed or persisted; listeners run synchronously, while
 * the kernel model makes the change.
 */
export interface NetlinkGroups {
  readonly conntrack: Set<(event: CtEvent) => void>
  readonly neigh: Set<(event: NeighEvent) => void>
}

export function newNetlinkGroups(): NetlinkGroups {
  return { conntrack: new Set(), neigh: new Set() }
}

export function announceCt(groups: NetlinkGroups, event: CtEvent): void {
  for (const listener of groups.conntrack) listener(event)
}

export function announceNeigh(groups: NetlinkGroups, event: NeighEvent): void {
  for (const listener of groups.neigh) listener(event)
}
