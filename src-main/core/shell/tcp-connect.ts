/**
 * One TCP connection from a target, as connect(2) and the first read see it: the packet engine
 * walks the handshake (and, with a payload, the request, the app's answer and the close); this
 * module turns the trace into what the client's socket reports. curl, wget and nc share it and
 * word the result each in their own way.
 */

import type { CommandContext, TimeoutSignal } from './command.ts'
import type { Prober } from './commands/ping.ts'
import { synGiveUpMs, synRetries } from '../engine/syn-retransmission.ts'
import type { Trace } from '../engine/trace.ts'
import { randomInt } from '../net/index.ts'
import { msBeforeSignal, waitFor } from './timeout-signal.ts'

/** What connect(2) fails with, by errno. */
export type ConnectErrno = 'ECONNREFUSED' | 'ENETUNREACH' | 'EHOSTUNREACH' | 'EACCES' | 'EINVAL' | 'EPERM'

/** strerror(3) of each. */
export const CONNECT_ERROR_TEXT: Record<ConnectErrno | 'ETIMEDOUT', string> = {
  ECONNREFUSED: 'Connection refused',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EACCES: 'Permission denied',
  EINVAL: 'Invalid argument',
  EPERM: 'Operation not permitted',
  ETIMEDOUT: 'Connection timed out'
}

export type TcpConnectResult =
  /** Connected; `answer` is what the app wrote back when a payload was sent. */
  | { readonly kind: 'connected'; readonly answer: string; readonly trace: Trace }
  /**
   * connect() failed. `immediate`: the local route lookup refused the socket, before any packet
   * (a client words that apart from a failure that came back over the wire).
   */
  | {
      readonly kind: 'failed'
      readonly errno: ConnectErrno
      readonly immediate: boolean
      readonly ms: number
    }
  /**
   * No SYN was answered within `waitedMs` (the caller's limit, or the kernel's give-up time when
   * `byKernel`). The clock stands at the last SYN sent (`trace.at`): the caller lets the rest pass.
   */
  | {
      readonly kind: 'no-reply'
      readonly trace: Trace
      readonly waitedMs: number
      readonly byKernel: boolean
    }
  /** `timeout`'s signal ended the client while it waited. */
  | { readonly kind: 'killed'; readonly signal: TimeoutSignal }

export interface TcpConnectRequest {
  readonly ip: string
  readonly port: number
  /** What the client writes once connected; without it the connection ends at the handshake. */
  readonly payload?: string
  /** The client's own connect deadline (curl -m, wget -T, nc -w). */
  readonly limitMs?: number
}

/** The kernel's give-up time for an unanswered SYN in the target's namespace (tcp_syn_retries). */
export function kernelGiveUpMs(ctx: CommandContext): number {
  return synGiveUpMs(synRetries(ctx.lab.netns.get(ctx.target.netns)!))
}

export function connectTcp(ctx: CommandContext, probe: Prober, req: TcpConnectRequest): TcpConnectResult {
  ctx.countPacket?.()
  const giveUpMs = kernelGiveUpMs(ctx)
  const byKernel = req.limitMs === undefined || req.limitMs >= giveUpMs
  const trace = probe(ctx.lab, {
    proto: 'tcp',
    from: ctx.target.name,
    to: req.ip,
    port: req.port,
    connectWaitMs: Math.min(req.limitMs ?? giveUpMs, msBeforeSignal(ctx)),
    ...(req.payload === undefined ? {} : { payload: req.payload })
  })
  const outcome = trace.outcome
  const failed = (errno: ConnectErrno, ms = 0, immediate = false): TcpConnectResult => ({
    kind: 'failed',
    errno,
    immediate,
    ms
  })
  switch (outcome.kind) {
    case 'reply':
      return { kind: 'connected', answer: outcome.payload ?? '', trace }
    case 'refused':
      return failed('ECONNREFUSED')
    case 'icmp-error': {
      // Port unreachable is ECONNREFUSED; host unreachable arrives once ARP has given up.
      if (outcome.type === 3 && outcome.code === 3) return failed('ECONNREFUSED')
      const ms = outcome.type === 3 && outcome.code === 1 ? 3000 + randomInt(ctx.lab.rng, 50, 120) : 0
      const killed = waitFor(ctx, ms)
      if (killed !== undefined) return { kind: 'killed', signal: killed }
      return failed(outcome.code === 0 ? 'ENETUNREACH' : 'EHOSTUNREACH', ms)
    }
    case 'local-error':
      if (outcome.errno === 'EPERM') return failed('EPERM')
      if (outcome.errno === 'EMSGSIZE' || outcome.errno === 'ECONNREFUSED')
        return failed('EHOSTUNREACH', 0, true)
      return failed(outcome.errno, 0, true)
    case 'no-reply':
      return { kind: 'no-reply', trace, waitedMs: byKernel ? giveUpMs : req.limitMs!, byKernel }
  }
}
