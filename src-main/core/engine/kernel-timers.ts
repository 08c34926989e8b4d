import type { Lab } from '../kube/lab.ts'
import { expireConntrack } from '../linux/conntrack.ts'
import { NEIGH_REACHABLE_MS } from '../linux/neighbour.ts'
import { announceNeigh } from '../linux/netlink.ts'

/**
 * What the kernel's timers did while lab time passed from `fromMs` to now: conntrack entries
 * whose timeout ran out are gone, and REACHABLE neighbours nobody confirmed turned STALE. Both
 * are also read lazily; running them here makes their events reach listeners when they happen.
 */
export function runKernelTimers(lab: Lab, fromMs: number): void {
  const now = lab.clock.nowMs
  for (const ns of lab.netns.values()) {
    expireConntrack(ns.conntrack, now, ns.netlink)
    if (ns.netlink.neigh.size === 0) continue
    for (const n of ns.neighbours) {
      const staleAt = n.confirmedAt + NEIGH_REACHABLE_MS
      if (n.state === 'REACHABLE' && fromMs <= staleAt && now > staleAt)
        announceNeigh(ns.netlink, { type: 'new', neighbour: n, state: 'STALE' })
    }
  }
}
