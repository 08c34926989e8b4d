/**
 * `timeout` (GNU coreutils 9.1): its options, and the signal it sends as the commands that let
 * lab time pass see it coming. Such a command stops at the moment the signal arrives, as the
 * real tool does on it: ping prints its statistics on INT and dies on TERM, curl and sleep die
 * on both.
 */

import { advanceClock, advanceClockTo } from '../engine/probe.ts'
import type { CommandContext, CommandOutput, TimeoutSignal } from './command.ts'
import { getopt } from './getopt.ts'

type SignalAction = 'term' | 'core' | 'ignore' | 'stop'

/**
 * Linux's signals by number as gnulib's sig2str names them (the name `timeout -v` prints), with
 * what a process that sets no handler does on each (signal(7)) and glibc's strsignal text, which
 * bash prints for a job the signal ended.
 */
const SIGNALS: readonly (readonly [number, TimeoutSignal, SignalAction, string])[] = [
  [1, 'HUP', 'term', 'Hangup'],
  [2, 'INT', 'term', 'Interrupt'],
  [3, 'QUIT', 'core', 'Quit'],
  [4, 'ILL', 'core', 'Illegal instruction'],
  [5, 'TRAP', 'core', 'Trace/breakpoint trap'],
  [6, 'ABRT', 'core', 'Aborted'],
  [7, 'BUS', 'core', 'Bus error'],
  [8, 'FPE', 'core', 'Floating point exception'],
  [9, 'KILL', 'term', 'Killed'],
  [10, 'USR1', 'term', 'User defined signal 1'],
  [11, 'SEGV', 'core', 'Segmentation fault'],
  [12, 'USR2', 'term', 'User defined signal 2'],
  [13, 'PIPE', 'term', 'Broken pipe'],
  [14, 'ALRM', 'term', 'Alarm clock'],
  [15, 'TERM', 'term', 'Terminated'],
  [16, 'STKFLT', 'term', 'Stack fault'],
  [17, 'CHLD', 'ignore', 'Child exited'],
  [18, 'CONT', 'ignore', 'Continued'],
  [19, 'STOP', 'stop', 'Stopped (signal)'],
  [20, 'TSTP', 'stop', 'Stopped'],
  [21, 'TTIN', 'stop', 'Stopped (tty input)'],
  [22, 'TTOU', 'stop', 'Stopped (tty output)'],
  [23, 'URG', 'ignore', 'Urgent I/O condition'],
  [24, 'XCPU', 'core', 'CPU time limit exceeded'],
  [25, 'XFSZ', 'core', 'File size limit exceeded'],
  [26, 'VTALRM', 'term', 'Virtual timer expired'],
  [27, 'PROF', 'term', 'Profiling timer expired'],
  [28, 'WINCH', 'ignore', 'Window changed'],
  [29, 'POLL', 'term', 'I/O possible'],
  [30, 'PWR', 'term', 'Power failure'],
  [31, 'SYS', 'core', 'Bad system call']
]
const ALIASES: Record<string, string> = { IOT: 'ABRT', CLD: 'CHLD', IO: 'POLL' }
const RTMIN = 34
const RTMAX = 64

/** sig2str's name for a real-time signal: counted from the nearer end of the range. */
function realTimeName(n: number): TimeoutSignal {
  if (n === RTMIN) return 'RTMIN'
  if (n === RTMAX) return 'RTMAX'
  return n - RTMIN <= (RTMAX - RTMIN) / 2 ? `RTMIN+${n - RTMIN}` : `RTMAX-${RTMAX - n}`
}

/** The signal's number: 0 for EXIT, which tests that a process exists and delivers nothing. */
export function signalNumber(signal: TimeoutSignal): number {
  if (signal === 'EXIT') return 0
  const rt = /^RT(MIN|MAX)(?:([+-])(\d+))?$/.exec(signal)
  if (rt) return (rt[1] === 'MIN' ? RTMIN : RTMAX) + (rt[2] === '-' ? -1 : 1) * Number(rt[3] ?? 0)
  return SIGNALS.find(([, name]) => name === signal)![0]
}

/** The name of signal `n` (0 to 64), or undefined for 32 and 33, which glibc keeps for itself. */
export function signalByNumber(n: number): TimeoutSignal | undefined {
  if (n === 0) return 'EXIT'
  if (n >= RTMIN && n <= RTMAX) return realTimeName(n)
  return SIGNALS.find(([num]) => num === n)?.[1]
}

/**
 * coreutils' operand_to_sig: a number, or a name in any case with or without `SIG`, including
 * `RTMIN+N` and `RTMAX-N`.
 */
function parseSignal(text: string): TimeoutSignal | undefined {
  return parseSignalAs(text, ALIASES)
}

/**
 * bash's decode_signal as `kill` calls it: like coreutils but without the aliases, and signal 29
 * is `IO` rather than `POLL`.
 */
export function parseBashSignal(text: string): TimeoutSignal | undefined {
  return parseSignalAs(text, { IO: 'POLL', POLL: '' })
}

function parseSignalAs(text: string, aliases: Record<string, string>): TimeoutSignal | undefined {
  if (/^\d+$/.test(text)) return Number(text) <= RTMAX ? signalByNumber(Number(text)) : undefined
  const upper = text.toUpperCase().replace(/^SIG/, '')
  const name = aliases[upper] ?? upper
  if (name === 'EXIT') return 'EXIT'
  const rt = /^RT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name)
  if (rt) {
    const offset = Number(rt[3] ?? 0)
    const fromMin = rt[1] === 'MIN'
    if (rt[2] !== undefined && rt[2] !== (fromMin ? '+' : '-')) return undefined
    if (offset > RTMAX - RTMIN) return undefined
    return signalByNumber(fromMin ? RTMIN + offset : RTMAX - offset)
  }
  return SIGNALS.find(([, n]) => n === name)?.[1]
}

/** The name bash gives the signal (`kill -l`): sig2str's, but `IO` for 29. */
export function bashSignalName(signal: TimeoutSignal): string {
  return signal === 'POLL' ? 'IO' : signal
}

/** glibc's strsignal text: what bash prints for a job the signal ended. */
export function signalDescription(signal: TimeoutSignal): string {
  const n = signalNumber(signal)
  if (n >= RTMIN) return `Real-time signal ${n - RTMIN}`
  return SIGNALS.find(([num]) => num === n)?.[3] ?? `Unknown signal ${n}`
}

/** What a process without a handler for the signal does on it; EXIT delivers nothing. */
export function defaultAction(signal: TimeoutSignal): SignalAction {
  if (signal === 'EXIT') return 'ignore'
  return SIGNALS.find(([, name]) => name === signal)?.[2] ?? 'term'
}

/** The status a shell sees for a process the signal ended. */
export function killedStatus(signal: TimeoutSignal): number {
  return 128 + signalNumber(signal)
}

/**
 * Lets `ms` of lab time pass. When `timeout`'s signal comes first the clock stops there and the
 * signal is returned: the caller ends as the real tool does on it.
 */
export function waitFor(ctx: CommandContext, ms: number): TimeoutSignal | undefined {
  const pending = ctx.pendingSignal
  const action = pending === undefined ? undefined : defaultAction(pending.signal)
  // Only a signal that ends the process stops it here, once: ping's handlers decide for themselves.
  if (
    pending === undefined ||
    pending.arrived ||
    action === 'ignore' ||
    action === 'stop' ||
    ctx.lab.clock.nowMs + ms < pending.atMs
  ) {
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
      const known = parseSignal(value)
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
