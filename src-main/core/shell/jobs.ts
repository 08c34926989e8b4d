/**
 * A terminal's processes that outlive the command that started them: the jobs `&` starts and
 * the foreground process a live terminal waits on. Numbers, markers and the lines `jobs` and
 * the notifications print follow bash 5.2.
 */

import type { LiveProcess, TimeoutSignal } from './command.ts'
import type { AndOr, Command, Pipeline, Redirect } from './parser.ts'
import { SHELL_LIMITS } from './limits.ts'
import { killedStatus, signalDescription } from './timeout-signal.ts'

export interface OutputChunk {
  readonly stream: 'stdout' | 'stderr'
  readonly text: string
}

/** A process started by `spawn`: its output waits here until the terminal shows it. */
export class Proc {
  /** Set while the process runs. */
  process: LiveProcess | undefined
  /** Exit status once it ended. */
  status: number | undefined
  /** `timeout` ended it: the status is 124 whatever the process said, unless --preserve-status. */
  timedOut = false
  /** The signal its `timeout` sends. */
  expireWith: TimeoutSignal = 'TERM'
  preserveStatus = false
  /** What `timeout -v` says as it sends the signal. */
  announce: string | undefined
  /** A signal it has no handler for (`kill -9`, `kill -USR1`): it ends without its last words. */
  killedBy: TimeoutSignal | undefined
  /** Ctrl+Z or `kill -STOP` stopped it: what it captures waits in the kernel's buffer until `fg` or `bg`. */
  stopped = false
  /** `kill -STOP` stopped it in the background: bash tells so before the next prompt. */
  stopUntold = false
  /** A signal `kill` sent while it was stopped: it arrives with CONT. */
  heldSignal: TimeoutSignal | undefined
  /** Lab time (ms) at which `timeout` ends it. */
  deadline: number | undefined
  cancelTimer: (() => void) | undefined
  readonly pending: OutputChunk[] = []
  /** Everything it wrote to the terminal, shown or not, up to the same cap: what a lesson checks. */
  transcript = ''
  #size = 0
  #cut = false

  /**
   * Output the terminal has not shown yet. Past SHELL_LIMITS.commandOutputBytes the rest is
   * dropped with one note, as a command's output is cut; `note` words it for the shell's dialect.
   */
  write(stream: 'stdout' | 'stderr', text: string, note: () => string): void {
    if (text === '' || this.killedBy !== undefined || this.#cut) return
    if (this.transcript.length + text.length <= SHELL_LIMITS.commandOutputBytes) this.transcript += text
    this.#size += text.length
    if (this.#size > SHELL_LIMITS.commandOutputBytes) {
      this.#cut = true
      this.pending.push({ stream: 'stderr', text: note() })
      return
    }
    const last = this.pending[this.pending.length - 1]
    if (last && last.stream === stream)
      this.pending[this.pending.length - 1] = { stream, text: last.text + text }
    else this.pending.push({ stream, text })
  }

  /** The output not shown yet; the process's budget starts again once shown. */
  take(): OutputChunk[] {
    const chunks = this.pending.splice(0)
    this.#size = 0
    this.#cut = false
    return chunks
  }

  get running(): boolean {
    return this.status === undefined
  }

  ended(code: number): void {
    this.status =
      this.killedBy !== undefined
        ? killedStatus(this.killedBy)
        : this.timedOut && !this.preserveStatus
          ? 124
          : code
    this.process = undefined
    this.cancelTimer?.()
    this.cancelTimer = undefined
  }
}

export class Job extends Proc {
  constructor(
    /** 0 while it is no job yet: a live terminal's foreground process, until Ctrl+Z. */
    public id: number,
    public pid: number,
    /** The command as `jobs` prints it. */
    readonly text: string
  ) {
    super()
  }
}

export class JobTable {
  #jobs: Job[] = []

  /** bash numbers a new job one past the highest number in use. */
  add(pid: number, text: string): Job {
    return this.adopt(new Job(0, pid, text))
  }

  /** A process becomes the current job (Ctrl+Z); one that was a job before keeps its number. */
  adopt(job: Job): Job {
    if (job.id === 0 || this.#jobs.some((j) => j.id === job.id))
      job.id = this.#jobs.reduce((max, j) => Math.max(max, j.id), 0) + 1
    this.#jobs.push(job)
    return job
  }

  get all(): readonly Job[] {
    return this.#jobs
  }

  /**
   * `%1`, `%%`, `%+`, `%-`, `%name` (the command starts so), `%?text` (contains it) or a pid;
   * undefined when no job matches, 'ambiguous' when a name or text matches several.
   */
  find(spec: string): Job | 'ambiguous' | undefined {
    if (spec === '%%' || spec === '%+' || spec === '%') return this.#jobs[this.#jobs.length - 1]
    if (spec === '%-') return this.#jobs[this.#jobs.length - 2] ?? this.#jobs[this.#jobs.length - 1]
    const byId = /^%(\d+)$/.exec(spec)
    if (byId) return this.#jobs.find((j) => j.id === Number(byId[1]))
    if (spec.startsWith('%')) {
      const text = spec.slice(spec.startsWith('%?') ? 2 : 1)
      const matches = this.#jobs.filter((j) =>
        spec.startsWith('%?') ? j.text.includes(text) : j.text.startsWith(text)
      )
      return matches.length > 1 ? 'ambiguous' : matches[0]
    }
    return /^\d+$/.test(spec) ? this.#jobs.find((j) => j.pid === Number(spec)) : undefined
  }

  /** `+` is the current job (the newest), `-` the one before. */
  marker(job: Job): string {
    const i = this.#jobs.indexOf(job)
    return i === this.#jobs.length - 1 ? '+' : i === this.#jobs.length - 2 ? '-' : ' '
  }

  remove(job: Job): void {
    this.#jobs = this.#jobs.filter((j) => j !== job)
  }
}

/** A job's line in `jobs` and in the notice bash prints before the prompt once it ended. */
export function jobLine(table: JobTable, job: Job, withPid: boolean): string {
  // A core-dumping signal writes no core under Debian's default `ulimit -c 0`: no "(core dumped)".
  const state =
    job.status === undefined
      ? job.stopped
        ? 'Stopped'
        : 'Running'
      : job.killedBy !== undefined
        ? signalDescription(job.killedBy)
        : job.status === 0
          ? 'Done'
          : `Exit ${job.status}`
  const pid = withPid ? ` ${job.pid}` : ' '
  return `[${job.id}]${table.marker(job)}${pid} ${state.padEnd(24)}${job.text}${job.running && !job.stopped ? ' &' : ''}\n`
}

/** The command as bash shows it in `jobs`: words as typed, redirections spaced out. */
export function commandText(item: AndOr): string {
  const pipeline = (p: Pipeline): string => (p.negate ? '! ' : '') + p.commands.map(command).join(' | ')
  return [pipeline(item.first), ...item.rest.map((r) => `${r.op} ${pipeline(r.pipeline)}`)].join(' ')
}

function command(c: Command): string {
  if (c.kind === 'for') return `for ${c.name} in ${(c.items ?? []).map((w) => w.raw).join(' ')}; do ...; done`
  return [...c.words.map((w) => w.raw), ...c.redirects.map(redirect)].join(' ')
}

function redirect(r: Redirect): string {
  if (r.op === '>&') return `${r.fd === 2 ? '2' : ''}>&${r.target.raw}`
  const fd = r.fd === 'both' ? '&' : r.fd === 2 ? '2' : ''
  return `${fd}${r.op} ${r.target.raw}`
}
