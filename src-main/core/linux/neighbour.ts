import type { Ipv4 } from '../net/ipv4.ts'
import type { Mac } from '../net/mac.ts'

/** NUD states iproute2 prints. */
export type NeighbourState =
  'PERMANENT' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'INCOMPLETE' | 'NOARP'

/** An ARP cache entry (`ip neigh`). */
export interface Neighbour {
  ip: Ipv4
  ifindex: number
  lladdr?: Mac
  state: NeighbourState
  /** Lab time (ms) of the last confirmation: an ARP reply, or a TCP ACK the host sent through it. */
  confirmedAt: number
  /** Lab time (ms) the state last changed: when DELAY, PROBE and a resolution (INCOMPLETE) began. */
  updatedAt: number
  /** Lab time (ms) a packet last went out through the entry. */
  usedAt: number
  /** Unicast ARP probes sent since PROBE began. */
  probes: number
}

/**
 * The kernel's per-device defaults (net.ipv4.neigh.*). The kernel draws reachable_time anew
 * from 15–45 s (base_reachable_time ± half) every 300 s; the lab keeps the base 30 s so that a
 * lesson's `sleep 31` always finds the entry STALE, whatever the run.
 */
export const NEIGH_TIMES = {
  reachableMs: 30_000,
  /** delay_first_probe_time: a used STALE entry waits this long for a confirmation. */
  delayProbeMs: 5_000,
  /** retrans_time_ms: the gap between probes. */
  retransMs: 1_000,
  /** ucast_solicit: unicast probes before the entry FAILS (app_solicit and mcast_resolicit are 0). */
  ucastProbes: 3,
  /** mcast_solicit: broadcast requests for an unknown address before the entry FAILS. */
  mcastProbes: 3
} as const

/** When an unanswered resolution fails: retrans_time after the last of its broadcast requests. */
export function resolutionFailsAt(n: Neighbour): number {
  return n.updatedAt + NEIGH_TIMES.mcastProbes * NEIGH_TIMES.retransMs
}

/** The states that hold an address the kernel sends to (NUD_VALID without NOARP/PERMANENT). */
export function isValidNeighbour(n: Neighbour): boolean {
  return n.state !== 'FAILED' && n.state !== 'INCOMPLETE' && n.lladdr !== undefined
}
