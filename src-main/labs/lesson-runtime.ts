import { createActor, type Actor } from 'xstate'
import { sendTrace } from '../core/engine/probe.ts'
import type { Trace } from '../core/engine/trace.ts'
import type { LoadedLesson } from '../core/lesson/course-loader.ts'
import { pendingPrediction } from '../core/lesson/finished.ts'
import { labFacts, openLessonLab, probeSpecOf, traceFactsOf } from '../core/lesson/lab-adapter.ts'
import type { Localized, TraceSpec } from '../core/lesson/lesson.schema.ts'
import {
  COMPLETED,
  createLessonMachine,
  questionsOf,
  scoreOf,
  type LessonContext,
  type LessonEvent,
  type LessonMachine
} from '../core/lesson/lesson.machine.ts'
import { progressRecords } from '../core/lesson/progress-records.ts'
import { resumeSnapshot } from '../core/lesson/resume.ts'
import {
  stepProse,
  viewLesson,
  viewReachedStep,
  type LessonView,
  type StepView
} from '../core/lesson/snapshot-view.ts'
import type { LabShell } from '../core/shell/lab-shell.ts'
import type { ShellResult, ShellSession } from '../core/shell/shell.ts'
import type { CommandFacts } from '../core/lesson/lab-facts.ts'
import { TraceMemory } from '../api/lab-tools.ts'
import { recordingFrames } from '../core/shell/trace-pcap.ts'
import { refusePredictedProbe } from './pending-probe.ts'
import type {
  ExecResult,
  LabJournalEntry,
  LessonOpen,
  LessonOutcome,
  LessonPersist,
  PositionedEntry
} from './protocol.ts'

/** Told before each journaled command or trace runs, so a stop can name what was running. */
export type OnRunning = (entry: PositionedEntry) => void

const noSuchTarget = (on: string): ExecResult => ({
  stdout: '',
  stderr: `podnet: no node, pod, pod/container or external host named "${on}"\n`,
  exitCode: 127
})

/** What the terminal gets of a line: its output, and the lab's note beside it, never inside it. */
export function execResult(result: ShellResult): ExecResult {
  const { stdout, stderr, exitCode, elsewhere } = result
  return { stdout, stderr, exitCode, ...(elsewhere ? { elsewhere } : {}) }
}

/**
 * Replays a journal on a lab, lessons and free play alike. A live terminal's lines replay in a
 * session of their own per terminal, released after: what they changed stays, their captures do
 * not run on in a terminal nobody has open.
 */
export function replayJournal(
  shell: LabShell,
  journal: readonly PositionedEntry[],
  onRunning: OnRunning
): void {
  const replayed = new Map<string, ShellSession>()
  for (const positioned of journal) {
    onRunning(positioned)
    const { entry } = positioned
    if (entry.kind === 'trace') sendTrace(shell.lab, entry.spec)
    else if (entry.terminal === undefined) shell.run(entry.on, entry.line)
    else {
      const session = replayed.get(entry.terminal) ?? shell.detachedSession(entry.on)
      if (session) replayed.set(entry.terminal, session)
      session?.run(entry.line)
    }
  }
  for (const session of replayed.values()) session.release()
}

/** A line of a live terminal, journaled as its terminal's before it runs in the terminal's session. */
export function runJournaled(
  terminalId: string,
  session: ShellSession,
  text: string,
  journal: (entry: LabJournalEntry) => PositionedEntry
): { result: ShellResult; journaled: PositionedEntry } {
  const journaled = journal({ kind: 'exec', on: session.target.name, line: text, terminal: terminalId })
  return { result: session.run(text), journaled }
}

/**
 * One learner's lesson inside a lab worker: the lesson actor and its lab. Commands and traces
 * feed the actor as `sim.*` events; every transition yields what the host must persist, so the
 * worker itself keeps nothing the host could not rebuild.
 */
export class LessonRuntime {
  readonly loaded: LoadedLesson
  shell: LabShell
  readonly traces = new TraceMemory()
  readonly #actor: Actor<LessonMachine>
  #nextPosition: number
  #stepJournalStart: number
  #wasCompleted: boolean
  #persists: LessonPersist[] = []
  #journaled: PositionedEntry[] = []
  readonly #onRunning: OnRunning

  constructor(open: LessonOpen, onRunning: OnRunning) {
    this.loaded = open.loaded
    this.#onRunning = onRunning
    const machine = createLessonMachine(open.loaded.lesson)
    const snapshot =
      open.machine === undefined
        ? undefined
        : resumeSnapshot(machine, open.loaded.lesson, open.loaded.contentHash, open.machine)
    this.#actor = createActor(machine, {
      input: { contentHash: open.loaded.contentHash },
      ...(snapshot ? { snapshot } : {})
    })
    this.#actor.start()
    this.shell = this.#replay(open.journal)
    this.#nextPosition = open.nextPosition
    this.#stepJournalStart = Math.min(open.stepJournalStart, open.nextPosition)
    this.#wasCompleted = open.wasCompleted
  }

  /** The transition every open makes: the lesson sees the lab as rebuilt. */
  opened(): LessonOutcome {
    this.#transition({ type: 'sim.worldChanged', facts: labFacts(this.shell.lab) })
    return this.#outcome()
  }

  /** The view as it stands, changing nothing. */
  current(): LessonOutcome {
    return this.#outcome()
  }

  /** A step already reached, as it stands, changing nothing; `undefined` for one not reached. */
  reachedStep(stepId: string): { step: StepView; body: Localized } | undefined {
    const step = viewReachedStep(this.loaded.lesson, this.#actor.getSnapshot(), stepId)
    return step && { step, body: stepProse(this.loaded.prose, stepId) }
  }

  send(event: LessonEvent): LessonOutcome {
    this.#transition(event)
    return this.#outcome()
  }

  exec(on: string, line: string): LessonOutcome & { result: ExecResult } {
    const result = this.#exec(on, line)
    return { ...this.#outcome(), result }
  }

  /** A line of a live terminal: journaled now; the lesson hears of it when it ends (`commandRan`). */
  runInTerminal(terminalId: string, session: ShellSession, text: string): ShellResult {
    const { result, journaled } = runJournaled(terminalId, session, text, (entry) => this.#journal(entry))
    this.#nextPosition++
    this.#journaled.push(journaled)
    return result
  }

  /** A live terminal's line or job ended: its command, output and status, as a typed line's. */
  commandRan(command: CommandFacts): void {
    this.#transition({ type: 'sim.commandRan', command, facts: labFacts(this.shell.lab) })
  }

  /**
   * An outcome taken before the lab's live terminals were settled, with what settling changed:
   * a capture that ended because of this request is part of its answer, not the next one's.
   */
  amend<T extends LessonOutcome>(outcome: T): T {
    const later = this.#outcome()
    return {
      ...outcome,
      view: later.view,
      persists: [...outcome.persists, ...later.persists],
      journaled: [...outcome.journaled, ...later.journaled]
    }
  }

  /**
   * A packet the learner sends. The packet a reached prediction asks about is refused until the
   * prediction is locked in: its trace is the answer. The lesson's own runs (the reveal, a trace
   * step) do not come through here.
   */
  trace(spec: TraceSpec): LessonOutcome & { trace: Trace; traceId: number } {
    const pending = pendingPrediction(this.loaded.lesson, this.#actor.getSnapshot().context)
    refusePredictedProbe(this.shell.lab, pending && { stepId: pending.id, trace: pending.trace }, spec)
    const { result: trace, frames } = recordingFrames(this.shell.lab, () => this.#trace(spec))
    return { ...this.#outcome(), trace, traceId: this.traces.keep(trace, frames) }
  }

  /**
   * Undoes lab changes without touching answers or progress: `lab` rebuilds the scenario,
   * `step` replays the journal only up to where the current step began. The host hands the
   * journal back because only it knows which entries were stopped.
   */
  reset(scope: 'lab' | 'step', journal: PositionedEntry[]): LessonOutcome & { keep: number } {
    const keep = scope === 'lab' ? 0 : this.#stepJournalStart
    this.shell = this.#replay(journal.filter((e) => e.position < keep))
    this.#nextPosition = keep
    this.#stepJournalStart = Math.min(this.#stepJournalStart, keep)
    this.traces.clear()
    this.#transition({ type: 'sim.worldChanged', facts: labFacts(this.shell.lab) })
    return { ...this.#outcome(), keep }
  }

  get stepJournalStart(): number {
    return this.#stepJournalStart
  }

  stop(): void {
    this.#actor.stop()
  }

  #replay(journal: PositionedEntry[]): LabShell {
    const lab = openLessonLab(this.loaded)
    replayJournal(lab.shell, journal, this.#onRunning)
    return lab.shell
  }

  #journal(entry: LabJournalEntry): PositionedEntry {
    const positioned = { position: this.#nextPosition, entry }
    this.#onRunning(positioned)
    return positioned
  }

  #exec(on: string, line: string): ExecResult {
    const positioned = this.#journal({ kind: 'exec', on, line })
    const result = this.shell.run(on, line)
    if (!result) return noSuchTarget(on)
    this.#nextPosition++
    this.#journaled.push(positioned)
    this.#transition({
      type: 'sim.commandRan',
      command: { on, command: line, output: result.stdout + result.stderr, exitCode: result.exitCode },
      facts: labFacts(this.shell.lab)
    })
    // A job (`tcpdump -c 2 … &`) this line's traffic ended counts as a live terminal's does.
    for (const job of this.shell.jobsEndedByLastRun) this.commandRan(job)
    return execResult(result)
  }

  #trace(spec: TraceSpec): Trace {
    const lab = this.shell.lab
    const probe = probeSpecOf(lab, spec)
    const positioned = this.#journal({ kind: 'trace', spec: probe })
    const trace = sendTrace(lab, probe)
    this.#nextPosition++
    this.#journaled.push(positioned)
    this.#transition({
      type: 'sim.traceFinished',
      trace: traceFactsOf(lab, spec, trace),
      facts: labFacts(lab)
    })
    return trace
  }

  /**
   * Sends one event, then does what the new state asks of the host — run a clicked command, run
   * the trace a prediction or trace step is waiting for — and records a persist per transition.
   */
  #transition(event: LessonEvent): void {
    const before = this.#actor.getSnapshot().context
    const stepBefore = String(this.#actor.getSnapshot().value)
    this.#actor.send(event)
    if (String(this.#actor.getSnapshot().value) !== stepBefore) this.#stepJournalStart = this.#nextPosition
    this.#recordPersist(before, event)

    // Never chain a run off the result of a run: a step that stays unsatisfied must not loop.
    if (event.type === 'sim.commandRan' || event.type === 'sim.traceFinished') return
    const view = this.#view()
    if (view.pendingCommand) {
      this.#exec(view.pendingCommand.on, view.pendingCommand.command)
      return
    }
    const step = view.step
    if (step?.kind === 'predict' && step.awaitingTrace) this.#trace(step.trace)
    else if (step?.kind === 'trace' && step.hops === undefined) this.#trace(step.trace)
  }

  #recordPersist(before: LessonContext, event: LessonEvent): void {
    const snapshot = this.#actor.getSnapshot()
    const after = snapshot.context
    const lesson = this.loaded.lesson
    const stepOfQuestion = (questionId: string): string =>
      lesson.steps.find((step) => questionsOf(step).some((q) => q.id === questionId))?.id ?? ''
    const current = String(snapshot.value)
    const persist: LessonPersist = {
      machine: this.#actor.getPersistedSnapshot(),
      stepId: current === COMPLETED ? (lesson.steps.at(-1)?.id ?? COMPLETED) : current,
      stepJournalStart: this.#stepJournalStart,
      records: progressRecords(before, after, stepOfQuestion).map((record) => ({
        record,
        answer:
          record.kind === 'quiz-attempt'
            ? event.type === 'user.answer'
              ? event.answer
              : null
            : record.kind === 'prediction-revealed'
              ? (after.predictions[record.stepId]?.value ?? null)
              : null
      }))
    }
    if (current === COMPLETED && !this.#wasCompleted) {
      const { score, maxScore } = scoreOf(lesson, after)
      const fraction = maxScore === 0 ? 1 : score / maxScore
      persist.completed = { score: fraction, passed: fraction >= lesson.passScore }
      this.#wasCompleted = true
    }
    this.#persists.push(persist)
  }

  #view(): LessonView {
    const view = viewLesson(this.loaded.lesson, this.#actor.getSnapshot())
    return view.step ? { ...view, body: stepProse(this.loaded.prose, view.current) } : view
  }

  #outcome(): LessonOutcome {
    const outcome = { view: this.#view(), persists: this.#persists, journaled: this.#journaled }
    this.#persists = []
    this.#journaled = []
    return outcome
  }
}
