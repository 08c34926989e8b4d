/**
 * The shell side of a lab: one terminal session per target, all sharing the lab and one
 * command registry. The CLI, the service and the scenario's `setup:` lines all run commands
 * through this.
 */

import type { CommandRegistry } from './command.ts'
import type { Lab } from '../kube/lab.ts'
import { defaultRegistry } from './commands/index.ts'
import { LabStorage, ShellSession } from './shell.ts'
import type { EndedJob, LiveTerminal, ShellResult } from './shell.ts'
import { resolveTarget, targetNames } from './targets.ts'

export interface LabShellOptions {
  /** Receives files commands write (`tcpdump -w`). */
  readonly writeFile?: (path: string, data: Uint8Array) => void
  readonly registry?: CommandRegistry
}

/** A `setup:` line that did not run: where, why, and the author's sentence. */
export interface SetupProblem {
  field: string
  problem: 'unknown_name' | 'setup_failed'
  /** The target or the command line, as the file has it. */
  value: string
  text: string
}

export class LabShell {
  readonly registry: CommandRegistry
  readonly #sessions = new Map<string, ShellSession>()
  #jobsEndedByLastRun: readonly (EndedJob & { readonly on: string })[] = []
  /** Files and variables of every terminal, against SHELL_LIMITS.labStorageBytes together. */
  readonly #storage = new LabStorage()

  constructor(
    readonly lab: Lab,
    readonly options: LabShellOptions = {}
  ) {
    this.registry = options.registry ?? defaultRegistry()
  }

  /** The terminal on a target (created on first use), or undefined for an unknown name. */
  session(name: string): ShellSession | undefined {
    const existing = this.#sessions.get(name)
    if (existing) return existing
    const session = this.#open(name)
    if (session) this.#sessions.set(name, session)
    return session
  }

  /**
   * A terminal of its own on a target, for a person watching it: its captures run until
   * Ctrl+C while the lab's other terminals make traffic. Undefined for an unknown name.
   */
  liveTerminal(name: string, live: LiveTerminal): ShellSession | undefined {
    return this.#open(name, live)
  }

  /** A terminal of its own that nobody watches (a replay); its owner releases it. */
  detachedSession(name: string): ShellSession | undefined {
    return this.#open(name)
  }

  #open(name: string, live?: LiveTerminal): ShellSession | undefined {
    const target = resolveTarget(this.lab, name)
    if (!target) return undefined
    return new ShellSession(
      {
        lab: this.lab,
        registry: this.registry,
        resolveTarget: (n) => resolveTarget(this.lab, n),
        storage: this.#storage,
        ...(this.options.writeFile ? { writeFile: this.options.writeFile } : {}),
        ...(live ? { live } : {})
      },
      target
    )
  }

  /**
   * Run a line on a target; undefined when no target has that name. The jobs of these terminals
   * that ended meanwhile, on any target, are then `jobsEndedByLastRun`.
   */
  run(on: string, line: string): ShellResult | undefined {
    const result = this.session(on)?.run(line)
    this.#jobsEndedByLastRun = [...this.#sessions].flatMap(([name, session]) =>
      session.takeJobsEnded().map((job) => ({ on: name, ...job }))
    )
    return result
  }

  /** The jobs (`tcpdump -c 2 … &`) that ended during the last `run`, with the target they ran on. */
  get jobsEndedByLastRun(): readonly (EndedJob & { readonly on: string })[] {
    return this.#jobsEndedByLastRun
  }

  targetNames(): string[] {
    return targetNames(this.lab)
  }

  /**
   * Apply the scenario's `setup:` lines in order (labs that start broken). Returns one message
   * per line that failed, naming it by its index, so a scenario author sees what went wrong.
   */
  applySetup(): SetupProblem[] {
    const problems: SetupProblem[] = []
    this.lab.scenario.setup.forEach((step, i) => {
      const result = this.run(step.on, step.run)
      if (!result)
        problems.push({
          field: `setup[${i}].on`,
          problem: 'unknown_name',
          value: step.on,
          text: `setup[${i}].on: no node, pod, container or external host named "${step.on}"`
        })
      else if (result.exitCode !== 0) {
        problems.push({
          field: `setup[${i}].run`,
          problem: 'setup_failed',
          value: step.run,
          text: `setup[${i}].run: \`${step.run}\` exited ${result.exitCode}${result.stderr === '' ? '' : `: ${result.stderr.trimEnd()}`}`
        })
      }
    })
    return problems
  }
}
