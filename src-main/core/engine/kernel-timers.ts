import type { Lab } from '../kube/lab.ts'
import { expireConntrack } from '../linux/conntrack.ts'
import { anyNeighbourTimerDue, runNeighbourTimers } from './neighbour-timers.ts'

/**
 * What the kernel's timers did up to now: conntrack entries whose timeout ran out are gone, and
 * neighbours moved through their NUD states. Every move of the lab clock runs them, so their
 * events reach listeners when they happen and `ip neigh` reads the state as it is.
 */
export function runKernelTimers(lab: Lab): void {
  const now = lab.clock.nowMs
  for (const ns of lab.netns.values()) {
    expireConntrack(ns.conntrack, now, ns.netlink)
    // A timer's probe may add or change entries, hence the copy; a whole connection moves the
    // clock at every segment, when nothing is due, so the copy is made only when something is.
    if (anyNeighbourTimerDue(ns.neighbours, now))
      for (const n of [...ns.neighbours]) runNeighbourTimers(lab, ns, n, now)
  }
}
