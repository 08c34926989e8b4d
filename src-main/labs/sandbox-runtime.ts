import { sendTrace } from '../core/engine/probe.ts'
import type { Trace } from '../core/engine/trace.ts'
import { probeSpecOf } from '../core/lesson/lab-adapter.ts'
import type { TraceSpec } from '../core/lesson/lesson.schema.ts'
import { buildLab } from '../core/scenario/build-lab.ts'
import type { Scenario } from '../core/scenario/scenario.schema.ts'
import { LabShell } from '../core/shell/lab-shell.ts'
import type { ShellResult, ShellSession } from '../core/shell/shell.ts'
import { ApiError } from '../api/envelope.ts'
import { reason } from '../api/error-reasons.ts'
import { TraceMemory } from '../api/lab-tools.ts'
import { recordingFrames } from '../core/shell/trace-pcap.ts'
import { execResult, replayJournal, runJournaled, type OnRunning } from './lesson-runtime.ts'
import { refusePredictedProbe, type PendingPrediction } from './pending-probe.ts'
import type { ExecResult, PositionedEntry, SandboxOpen } from './protocol.ts'

/** A scenario's world with its `setup:` lines applied; a failing line names the file and the line. */
export function buildSandboxShell(scenario: Scenario, origin: string): LabShell {
  const shell = new LabShell(buildLab(scenario))
  const problems = shell.applySetup()
  const first = problems[0]
  if (first) {
    const { field, problem, value } = first
    throw new ApiError('invalid_input', `${origin}: ${problems.map((p) => p.text).join('; ')}`, {
      reason: reason('scenario_conflict', { file: origin, field, problem, value })
    })
  }
  return shell
}

/** A free-play world inside a lab worker: no lesson machine, only the lab and its journal. */
export class SandboxRuntime {
  shell: LabShell
  readonly traces = new TraceMemory()
  readonly #open: SandboxOpen
  #nextPosition: number
  readonly #onRunning: OnRunning

  constructor(open: SandboxOpen, onRunning: OnRunning) {
    this.#open = open
    this.#onRunning = onRunning
    this.shell = buildSandboxShell(open.scenario, open.origin)
    replayJournal(this.shell, open.journal, onRunning)
    this.#nextPosition = open.nextPosition
  }

  exec(on: string, line: string): { result: ExecResult; journaled: PositionedEntry[] } {
    const positioned: PositionedEntry = { position: this.#nextPosition, entry: { kind: 'exec', on, line } }
    this.#onRunning(positioned)
    const result = this.shell.run(on, line)
    if (!result) {
      return {
        result: {
          stdout: '',
          stderr: `podnet: no node, pod, pod/container or external host named "${on}"\n`,
          exitCode: 127
        },
        journaled: []
      }
    }
    this.#nextPosition++
    return {
      result: execResult(result),
      journaled: [positioned]
    }
  }

  /**
   * A line typed into a live terminal: journaled like `exec` (it may change the lab), run in
   * that terminal's own session, whose captures outlive the line.
   */
  runInTerminal(
    terminalId: string,
    session: ShellSession,
    text: string
  ): { result: ShellResult; journaled: PositionedEntry } {
    const ran = runJournaled(terminalId, session, text, (entry) => {
      const positioned = { position: this.#nextPosition, entry }
      this.#onRunning(positioned)
      return positioned
    })
    this.#nextPosition++
    return ran
  }

  /** `pending`: the prediction the scenario's lesson waits for, whose packet is not traced here either. */
  trace(
    spec: TraceSpec,
    pending: PendingPrediction | undefined
  ): { trace: Trace; traceId: number; journaled: PositionedEntry[] } {
    const lab = this.shell.lab
    refusePredictedProbe(lab, pending, spec)
    const probe = probeSpecOf(lab, spec)
    const positioned: PositionedEntry = {
      position: this.#nextPosition,
      entry: { kind: 'trace', spec: probe }
    }
    this.#onRunning(positioned)
    const { result: trace, frames } = recordingFrames(lab, () => sendTrace(lab, probe))
    this.#nextPosition++
    return { trace, traceId: this.traces.keep(trace, frames), journaled: [positioned] }
  }

  /** Builds the scenario afresh: every change the learner made is gone, the world is as the file says. */
  reset(): void {
    this.shell = buildSandboxShell(this.#open.scenario, this.#open.origin)
    this.#nextPosition = 0
    this.traces.clear()
  }
}
