import type { Lab } from '../kube/lab.ts'
import { NEIGH_TIMES, resolutionFailsAt, type Neighbour, type NeighbourState } from '../linux/neighbour.ts'
import type { Netns } from '../linux/netns.ts'
import { announceNeigh } from '../linux/netlink.ts'
import { Walk } from './walk.ts'

/**
 * neigh_timer_handler, run for every timer of the entry that fell due up to now, each at its
 * own time: REACHABLE without confirmation turns STALE (or DELAY when used in the last 5 s);
 * DELAY turns REACHABLE if something confirmed it meanwhile, else PROBE; PROBE sends unicast
 * ARP requests 1 s apart and FAILS after three unanswered, as INCOMPLETE does 1 s after its
 * third broadcast request (the walk sent them). Only STALE, the DELAY outcomes and FAILED are
 * RTM_NEWNEIGH events, as the kernel notifies only those.
 */
export function runNeighbourTimers(lab: Lab, ns: Netns, n: Neighbour, now: number): void {
  for (;;) {
    if (n.state === 'REACHABLE') {
      const at = n.confirmedAt + NEIGH_TIMES.reachableMs
      if (at >= now) return
      if (at <= n.usedAt + NEIGH_TIMES.delayProbeMs) change(ns, n, 'DELAY', at, false)
      else change(ns, n, 'STALE', at, true)
    } else if (n.state === 'DELAY') {
      const at = n.updatedAt + NEIGH_TIMES.delayProbeMs
      if (at > now) return
      if (at <= n.confirmedAt + NEIGH_TIMES.delayProbeMs) change(ns, n, 'REACHABLE', at, true)
      else {
        change(ns, n, 'PROBE', at, true)
        n.probes = 0
      }
    } else if (n.state === 'PROBE') {
      const at = n.updatedAt + n.probes * NEIGH_TIMES.retransMs
      if (at > now) return
      if (n.probes >= NEIGH_TIMES.ucastProbes) {
        change(ns, n, 'FAILED', at, true)
        return
      }
      n.probes++
      if (probeAt(lab, ns, n, at)) return runNeighbourTimers(lab, ns, n, now)
    } else if (n.state === 'INCOMPLETE') {
      const at = resolutionFailsAt(n)
      if (at > now) return
      change(ns, n, 'FAILED', at, true)
      return
    } else return
  }
}

/** A plain function rather than a closure per call: the lab clock runs these timers for every entry it passes. */
function change(ns: Netns, n: Neighbour, state: NeighbourState, at: number, notify: boolean): void {
  n.state = state
  n.updatedAt = at
  if (notify) announceNeigh(ns.netlink, { type: 'new', neighbour: n, state })
}

/**
 * Whether a timer of the entry fell due by `now`: exactly the states and times at which
 * runNeighbourTimers does anything, so skipping an entry for which this is false changes nothing.
 */
function neighbourTimerDue(n: Neighbour, now: number): boolean {
  if (n.state === 'REACHABLE') return n.confirmedAt + NEIGH_TIMES.reachableMs < now
  if (n.state === 'DELAY') return n.updatedAt + NEIGH_TIMES.delayProbeMs <= now
  if (n.state === 'PROBE') return n.updatedAt + n.probes * NEIGH_TIMES.retransMs <= now
  if (n.state === 'INCOMPLETE') return resolutionFailsAt(n) <= now
  return false
}

export function anyNeighbourTimerDue(neighbours: readonly Neighbour[], now: number): boolean {
  for (const n of neighbours) if (neighbourTimerDue(n, now)) return true
  return false
}

/** The probe goes out and is answered at `at`, so what it learns carries that time. */
function probeAt(lab: Lab, ns: Netns, n: Neighbour, at: number): boolean {
  const now = lab.clock.nowMs
  lab.clock.nowMs = at
  try {
    return new Walk(lab).probeNeighbour(ns, n)
  } finally {
    lab.clock.nowMs = now
  }
}
