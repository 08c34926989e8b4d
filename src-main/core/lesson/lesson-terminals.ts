import { advanceClockTo } from '../engine/probe.ts'
import type { LabShell } from '../shell/lab-shell.ts'
import type { LiveTerminal, ShellSession } from '../shell/shell.ts'
import type { CommandFacts, LineFacts } from './lab-facts.ts'

/**
 * The lesson player's terminals as the checker plays them: one live terminal per target, as the
 * player opens one tab per target, so a solution behaves as a learner typing it would see it — a
 * capture started with `&` keeps listening while another tab makes the traffic, and a foreground
 * capture without `-c` waits for Ctrl+C. Nobody waits in wall time here: a `timeout` fires as
 * soon as a line waits on it, at its deadline on the lab clock.
 */
export class LessonTerminals {
  readonly #terminals = new Map<string, ShellSession>()
  readonly #timers = new Set<{ readonly atMs: number; readonly fire: () => void }>()
  readonly #live: LiveTerminal

  constructor(readonly shell: LabShell) {
    this.#live = {
      schedule: (ms, fire) => {
        const timer = { atMs: shell.lab.clock.nowMs + ms, fire }
        this.#timers.add(timer)
        return () => this.#timers.delete(timer)
      }
    }
  }

  /** Undefined when the lab has no target of that name. */
  run(on: string, line: string): LineFacts | undefined {
    const terminal = this.#terminal(on)
    if (!terminal) return undefined
    const result = terminal.run(line)
    let output = result.stdout + result.stderr
    let exitCode = result.exitCode
    let interrupted = false
    const jobsEnded: CommandFacts[] = []
    const settle = (): boolean => {
      let ended = !result.running
      for (const [name, session] of this.#terminals) {
        const settled = session.settle()
        jobsEnded.push(...(settled.jobsEnded ?? []).map((job) => ({ on: name, ...job })))
        if (session !== terminal) continue
        output += settled.chunks.map((c) => c.text).join('')
        if (settled.ended) {
          exitCode = settled.ended.exitCode
          ended = true
        }
      }
      return ended
    }
    while (!settle()) {
      const next = this.#nextTimer()
      if (next) {
        this.#timers.delete(next)
        advanceClockTo(this.shell.lab, Math.max(next.atMs, this.shell.lab.clock.nowMs))
        next.fire()
      } else if (interrupted) {
        throw new Error(`"${line}" on ${on} did not end after Ctrl+C`)
      } else {
        interrupted = true
        terminal.interrupt()
      }
    }
    return { output, exitCode, jobsEnded, interrupted }
  }

  #terminal(on: string): ShellSession | undefined {
    const open = this.#terminals.get(on)
    if (open) return open
    const terminal = this.shell.liveTerminal(on, this.#live)
    if (terminal) this.#terminals.set(on, terminal)
    return terminal
  }

  #nextTimer(): { readonly atMs: number; readonly fire: () => void } | undefined {
    let next: { readonly atMs: number; readonly fire: () => void } | undefined
    for (const timer of this.#timers) if (!next || timer.atMs < next.atMs) next = timer
    return next
  }
}
