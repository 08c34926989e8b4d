import type { Ipv4 } from '../net/ipv4.ts'
import type { Netns } from './netns.ts'

/**
 * icmp_send's per-destination limiter (icmpv4_xrlim_allow → inet_peer_xrlim_allow): for the
 * types in net.ipv4.icmp_ratemask (destination unreachable, source quench, time exceeded,
 * parameter problem) a namespace keeps a token bucket per destination address, which gains one
 * millisecond per millisecond up to six times net.ipv4.icmp_ratelimit and pays icmp_ratelimit
 * per error. A new destination's bucket starts full (rate_last = now - 60 s): six errors at
 * once, then one per second. `ping -t 1 -i 0.2` shows it: seven of ten echoes draw a "Time to
 * live exceeded". Errors to the namespace's own addresses go out by lo, which is exempt; the
 * caller leaves those out. The simulated clock stands still while a learner types the next
 * line, seconds in which the kernel's buckets fill up again: each line starts with full ones. The host-wide icmp_msgs_per_sec bucket (burst 50, a random cost per
 * message) is not modelled: the lab's commands draw a few errors at a time, far below it.
 */

export interface IcmpPeerBucket {
  tokensMs: number
  lastMs: number
}

const BURST_FACTOR = 6
const NR_ICMP_TYPES = 18
const NEW_PEER_AGE_MS = 60_000

/** Whether the kernel sends this error now; a sent one is paid for from the bucket. */
export function icmpErrorAllowed(
  ns: Pick<Netns, 'sysctl' | 'icmpPeers'>,
  dst: Ipv4,
  type: number,
  code: number,
  nowMs: number
): boolean {
  if (type > NR_ICMP_TYPES) return true
  // Path MTU discovery must never be starved.
  if (type === 3 && code === 4) return true
  if ((Number(ns.sysctl['net.ipv4.icmp_ratemask'] ?? 6168) & (1 << type)) === 0) return true
  const timeout = Number(ns.sysctl['net.ipv4.icmp_ratelimit'] ?? 1000)
  const peer = ns.icmpPeers.get(dst) ?? { tokensMs: 0, lastMs: nowMs - NEW_PEER_AGE_MS }
  let tokens = Math.min(peer.tokensMs + (nowMs - peer.lastMs), BURST_FACTOR * timeout)
  const allowed = tokens >= timeout
  if (allowed) tokens -= timeout
  ns.icmpPeers.set(dst, { tokensMs: tokens, lastMs: nowMs })
  return allowed
}

/** A new command line: the seconds it took to type have refilled every bucket. */
export function refillIcmpBuckets(namespaces: Iterable<Pick<Netns, 'icmpPeers'>>): void {
  for (const ns of namespaces) ns.icmpPeers.clear()
}
