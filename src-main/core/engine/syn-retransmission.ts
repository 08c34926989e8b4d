/**
 * When a connecting socket's kernel sends an unanswered SYN again. tcp_connect arms the
 * retransmission timer at TCP_TIMEOUT_INIT (1 s); tcp_retransmit_timer doubles it after every
 * retransmission, and after net.ipv4.tcp_syn_retries (6 by default) of them the connect fails
 * with ETIMEDOUT once the last backoff has run out: 1 + 2 + … + 64 = 127 s after the first SYN.
 * That is the lab nodes' kernel (Debian 12's 6.1): 6.5 added tcp_syn_linear_timeouts, whose
 * default of 4 makes the first retransmissions 1 s apart.
 */

import type { Netns } from '../linux/netns.ts'

export const SYN_RTO_INITIAL_MS = 1000

/** The connecting namespace's net.ipv4.tcp_syn_retries. */
export function synRetries(ns: Pick<Netns, 'sysctl'>): number {
  return Number(ns.sysctl['net.ipv4.tcp_syn_retries'] ?? 6)
}

/** When connect() fails with ETIMEDOUT, counted from the first SYN. */
export function synGiveUpMs(retries: number): number {
  return SYN_RTO_INITIAL_MS * (2 ** (retries + 1) - 1)
}

/**
 * The times, after the first SYN, at which the kernel sends it again while its caller still
 * waits: strictly before `waitMs`, since a timer due at the caller's deadline fires after the
 * caller has already given up and closed the socket.
 */
export function synRetransmitTimes(waitMs: number, retries: number): number[] {
  const times: number[] = []
  let at = 0
  for (let retry = 0; retry < retries; retry++) {
    at += SYN_RTO_INITIAL_MS * 2 ** retry
    if (at >= waitMs) break
    times.push(at)
  }
  return times
}
