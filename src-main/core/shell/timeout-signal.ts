/**
 * `timeout` (GNU coreutils 9.1): its options, and the signal it sends as the commands that let
 * lab time pass see it coming. Such a command stops at the moment the signal arrives, as the
 * real tool does on it: ping prints its statistics on INT and dies on TERM, curl and sleep die
 * on both.
 */

import { advanceClock, advanceClockTo } from '../engine/probe.ts'
import type { CommandContext, CommandOutput, TimeoutSignal } from './command.ts'
import { getopt } from './getopt.ts'

const SIGNAL_NUMBERS: Record<TimeoutSignal, number> = { HUP: 1, INT: 2, KILL: 9, TERM: 15 }

/** The status a shell sees for a process the signal ended. */
export function killedStatus(signal: TimeoutSignal): number {
  return 128 + SIGNAL_NUMBERS[signal]
}

/**
 * Lets `ms` of lab time pass. When `timeout`'s signal comes first the clock stops there and the
 * signal is returned: the caller ends as the real tool does on it.
 */
export function waitFor(ctx: CommandContext, ms: number): TimeoutSignal | undefined {
  const pending = ctx.pendingSignal
  if (pending === undefined || ctx.lab.clock.nowMs + ms < pending.atMs) {
    advanceClock(ctx.lab, ms)
    return undefined
  }
  if (pending.atMs > ctx.lab.clock.nowMs) advanceClockTo(ctx.lab, pending.atMs)
  pending.arrived = true
  return pending.signal
}

/** `timeout`'s signal once the command let lab time pass up to it. */
export function signalled(ctx: CommandContext): TimeoutSignal | undefined {
  return ctx.pendingSignal?.arrived === true ? ctx.pendingSignal.signal : undefined
}

/** Lab time left before `timeout`'s signal; Infinity without one. */
export function msBeforeSignal(ctx: CommandContext): number {
  const pending = ctx.pendingSignal
  return pending === undefined ? Number.POSITIVE_INFINITY : Math.max(0, pending.atMs - ctx.lab.clock.nowMs)
}

export interface TimeoutSpec {
  /** 0: no limit. */
  readonly ms: number
  readonly signal: TimeoutSignal
  /** -k: KILL this long after the signal if the command still runs. */
  readonly killAfterMs: number | undefined
  /** --preserve-status: the command's own status instead of 124. */
  readonly preserveStatus: boolean
  /** -v: say so on stderr when sending a signal. */
  readonly verbose: boolean
}

const TIMEOUT_HELP = "Try 'timeout --help' for more information.\n"
const DURATION_MS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const SIGNAL_NAMES: Record<string, TimeoutSignal> = {
  '1': 'HUP',
  HUP: 'HUP',
  '2': 'INT',
  INT: 'INT',
  '9': 'KILL',
  KILL: 'KILL',
  '15': 'TERM',
  TERM: 'TERM'
}

function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(text)
  return m ? Math.round(Number(m[1]) * (DURATION_MS[m[2] ?? ''] ?? 1000)) : undefined
}

/** `timeout [OPTION] DURATION COMMAND [ARG]…`: the limit and the command, or the usage error. */
export function parseTimeout(
  args: readonly string[]
): { spec: TimeoutSpec; argv: readonly string[] } | CommandOutput {
  const usage = (text: string): CommandOutput => ({
    stdout: '',
    stderr: `timeout: ${text}\n${TIMEOUT_HELP}`,
    exitCode: 125
  })
  const parsed = getopt('timeout', args, {
    short: 'k:s:v',
    long: {
      'kill-after': { key: 'k', arg: true },
      signal: { key: 's', arg: true },
      verbose: { key: 'v', arg: false },
      'preserve-status': { key: 'p', arg: false },
      foreground: { key: 'f', arg: false }
    },
    stopAtOperand: true
  })
  if (!parsed.ok) return { stdout: '', stderr: `${parsed.message}\n${TIMEOUT_HELP}`, exitCode: 125 }
  let signal: TimeoutSignal = 'TERM'
  let killAfterMs: number | undefined
  let preserveStatus = false
  let verbose = false
  for (const { key, value = '' } of parsed.value.options) {
    if (key === 's') {
      const known = SIGNAL_NAMES[value.toUpperCase().replace(/^SIG/, '')]
      if (known === undefined) return usage(`‘${value}’: invalid signal`)
      signal = known
    } else if (key === 'k') {
      killAfterMs = durationMs(value)
      if (killAfterMs === undefined) return usage(`invalid time interval ‘${value}’`)
    } else if (key === 'p') preserveStatus = true
    else if (key === 'v') verbose = true
  }
  const [duration, ...argv] = parsed.value.operands
  if (duration === undefined || argv.length === 0) return usage('missing operand')
  const ms = durationMs(duration)
  if (ms === undefined) return usage(`invalid time interval ‘${duration}’`)
  return { spec: { ms, signal, killAfterMs, preserveStatus, verbose }, argv }
}
