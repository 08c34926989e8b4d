import type { CommandFacts } from '../core/lesson/lab-facts.ts'
import { needsMoreInput } from '../core/shell/parser.ts'
import type { LabShell } from '../core/shell/lab-shell.ts'
import type { ShellResult, ShellSession } from '../core/shell/shell.ts'
import { ApiError } from '../api/envelope.ts'
import { reason } from '../api/error-reasons.ts'
import { execResult } from './lesson-runtime.ts'
import type { TerminalEvent, TerminalInputResult } from './protocol.ts'

interface Open {
  labKey: string
  session: ShellSession
  /** The lines typed so far of an input bash would read more of (`> ` prompts). */
  partial: string | undefined
  /** The line that waits (a capture, `wait`), with what it printed so far. */
  waiting: { command: string; output: string } | undefined
}

/**
 * The live terminals of a worker's labs, lessons and free play alike. A terminal's processes
 * listen to its lab, so after anything that ran on a lab its terminals are settled and what they
 * printed goes out as `terminal` messages; `timeout`'s wall clock is a timer here, outside the
 * pure core. Every command that ends — a line, at once or after it waited, and a job, wherever
 * its process ended — goes to `commandRan`, which is how a lesson's goals see it.
 */
export class LiveTerminals {
  readonly #terminals = new Map<string, Open>()

  constructor(
    private readonly post: (terminalId: string, event: TerminalEvent) => void,
    private readonly commandRan: (labKey: string, command: CommandFacts) => void
  ) {}

  /** False when the lab has no target of that name. */
  open(labKey: string, shell: LabShell, terminalId: string, on: string): boolean {
    this.close(terminalId)
    const session = shell.liveTerminal(on, {
      schedule: (ms, fire) => {
        const timer = setTimeout(() => {
          fire()
          this.settle(labKey)
        }, ms)
        return () => clearTimeout(timer)
      }
    })
    if (!session) return false
    this.#terminals.set(terminalId, { labKey, session, partial: undefined, waiting: undefined })
    return true
  }

  /**
   * A line typed into a terminal. Input bash would read more of is kept, and answered with
   * `continues`, until it is whole; `run` journals the whole of it and runs it in the session.
   */
  input(
    labKey: string,
    terminalId: string,
    line: string,
    run: (session: ShellSession, text: string) => ShellResult
  ): TerminalInputResult {
    const t = this.#open(labKey, terminalId)
    const text = t.partial === undefined ? line : `${t.partial}\n${line}`
    if (!t.session.waiting && needsMoreInput(text)) {
      t.partial = text
      return { stdout: '', stderr: '', exitCode: t.session.lastExit, continues: true }
    }
    t.partial = undefined
    const result = run(t.session, text)
    const output = result.stdout + result.stderr
    if (result.running) t.waiting ??= { command: text, output }
    else
      this.commandRan(labKey, { on: t.session.target.name, command: text, output, exitCode: result.exitCode })
    return { ...execResult(result), ...(result.running ? { running: true as const } : {}) }
  }

  /** Ctrl+C (`INT`) or Ctrl+Z (`TSTP`); at a `> ` prompt Ctrl+C drops the unfinished input, as bash does. */
  interrupt(labKey: string, terminalId: string, signal: 'INT' | 'TSTP'): void {
    const t = this.#open(labKey, terminalId)
    if (t.partial !== undefined) {
      if (signal === 'INT') t.partial = undefined
      return
    }
    if (signal === 'TSTP') t.session.suspend()
    else t.session.interrupt()
  }

  /** Sends what the lab's terminals printed since the last time, and the lines that ended. */
  settle(labKey: string): void {
    for (const [terminalId, t] of this.#terminals) {
      if (t.labKey !== labKey) continue
      const settled = t.session.settle()
      const on = t.session.target.name
      for (const c of settled.chunks) {
        this.post(terminalId, { kind: 'output', stream: c.stream, text: c.text })
        if (t.waiting) t.waiting.output += c.text
      }
      for (const job of settled.jobsEnded ?? []) this.commandRan(labKey, { on, ...job })
      if (!settled.ended) continue
      this.post(terminalId, { kind: 'ended', exitCode: settled.ended.exitCode })
      if (t.waiting) this.commandRan(labKey, { on, ...t.waiting, exitCode: settled.ended.exitCode })
      t.waiting = undefined
    }
  }

  /** The terminal is gone (closed by its subscriber): its processes stop with it. */
  close(terminalId: string): void {
    this.#terminals.get(terminalId)?.session.release()
    this.#terminals.delete(terminalId)
  }

  /** The lab went away (closed, reset, replaced): its terminals end, and their subscribers hear it. */
  closeLab(labKey: string): void {
    for (const [terminalId, t] of this.#terminals) {
      if (t.labKey !== labKey) continue
      this.close(terminalId)
      this.post(terminalId, { kind: 'closed' })
    }
  }

  #open(labKey: string, terminalId: string): Open {
    const found = this.#terminals.get(terminalId)
    if (!found || found.labKey !== labKey)
      throw new ApiError(
        'not_found',
        `terminalId: no open terminal "${terminalId}" in this lab; open one first`,
        {
          reason: reason('unknown_terminal', {})
        }
      )
    return found
  }
}
