import type { Ipv4 } from '../net/ipv4.ts'
import type { Mac } from '../net/mac.ts'

/** NUD states iproute2 prints; the simulator uses PERMANENT, REACHABLE, STALE and FAILED. */
export type NeighbourState =
  'PERMANENT' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'INCOMPLETE' | 'NOARP'

/** An ARP cache entry (`ip neigh`). */
export interface Neighbour {
  ip: Ipv4
  ifindex: number
  lladdr?: Mac
  state: NeighbourState
  /** Lab time (ms) of the last confirmation; REACHABLE turns STALE after 30 s without one. */
  confirmedAt: number
}

/** base_reachable_time: 30 s (the kernel randomises it to 15–45 s; the lab keeps the base). */
export const NEIGH_REACHABLE_MS = 30_000

/** NUD state as the kernel reports it now: REACHABLE decays to STALE without confirmation. */
export function neighbourState(n: Neighbour, nowMs: number): NeighbourState {
  return n.state === 'REACHABLE' && nowMs - n.confirmedAt > NEIGH_REACHABLE_MS ? 'STALE' : n.state
}
