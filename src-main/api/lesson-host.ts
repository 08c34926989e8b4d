import type { Trace } from '../core/engine/trace.ts'
import type { LoadedLesson } from '../core/lesson/course-loader.ts'
import { finishedQuestionIds, pendingPrediction } from '../core/lesson/finished.ts'
import { isPersistedLessonSnapshot } from '../core/lesson/resume.ts'
import type { LessonEvent } from '../core/lesson/lesson.machine.ts'
import type { Localized, TraceSpec } from '../core/lesson/lesson.schema.ts'
import type { Answer } from '../core/lesson/quiz.ts'
import type { LessonView, StepView } from '../core/lesson/snapshot-view.ts'
import type { Completion } from '../core/shell/complete.ts'
import { callWithRebuild, maxRebuildStops } from '../labs/call-with-rebuild.ts'
import { LabStopped, type LabPool, type Reopen } from '../labs/lab-pool.ts'
import type { PendingPrediction } from '../labs/pending-probe.ts'
import type {
  ExecResult,
  LabJournalEntry,
  LabReplies,
  LabRequest,
  LabOp,
  LessonOpen,
  LessonOutcome,
  PositionedEntry,
  TerminalEvent,
  TerminalInputResult,
  TraceStory
} from '../labs/protocol.ts'
import { LESSON_COMPLETED, type LessonCompletedData, type ProgressStore } from '../store/index.ts'
import { ApiError } from './envelope.ts'
import { reason } from './error-reasons.ts'
import type { InspectSection } from './inspect.ts'
import { TerminalOwners } from './terminal-owners.ts'
import type { CaptureChoice, DownloadFile } from './lab-tools.ts'
import type { CapturePoint } from '../core/shell/trace-pcap.ts'
import type { DiagramModel } from '../core/diagram/model.ts'
import type { Topology } from './topology.ts'

/** What the store keeps as the session's snapshot; the journal has its own append-only table. */
interface StoredSession {
  machine: unknown
  /** Journal position when the current step began: "reset this step" replays only that much. */
  stepJournalStart?: number
}

interface Hosted {
  learnerId: string
  loaded: LoadedLesson
  labKey: string
  lastActiveAt: number
}

/** What a lesson's live terminal sends: `ended` with the lesson's view after the line. */
export type LessonTerminalEvent =
  | Exclude<TerminalEvent, { kind: 'ended' }>
  | (Extract<TerminalEvent, { kind: 'ended' }> & { session?: LessonView })

/** Idle gaps longer than this are not counted as time spent on the lesson. */
const maxActiveGapMs = 5 * 60_000

function isStoredSession(value: unknown): value is StoredSession {
  return typeof value === 'object' && value !== null && 'machine' in value
}

/** A stopped command as the learner sees it in the terminal: the lab goes on without it. */
export interface StoppedCommand {
  afterMs: number
  reason: LabStopped['stoppedBy']
}

/**
 * The host side of the learners' lessons: it keeps what must last (snapshots, the journal,
 * progress records) in the store and runs each lesson's actor and lab in the lab pool's workers.
 * A lab is rebuilt from the store whenever its worker no longer holds it.
 */
export class LessonHost {
  readonly #hosted = new Map<string, Hosted>()
  readonly #store: ProgressStore
  readonly #pool: LabPool
  readonly #now: () => number
  readonly #terminals: TerminalOwners

  constructor(store: ProgressStore, pool: LabPool, now: () => number) {
    this.#store = store
    this.#pool = pool
    this.#now = now
    this.#terminals = new TerminalOwners(pool)
  }

  /** Opens (or returns the already open) lesson, resuming where the learner left off. */
  async open(learnerId: string, loaded: LoadedLesson): Promise<LessonView> {
    const key = `${learnerId}\u0000${loaded.lesson.id}`
    const existing = this.#hosted.get(key)
    const hosted: Hosted = {
      learnerId,
      loaded,
      labKey: `lesson\u0000${key}`,
      lastActiveAt: existing?.lastActiveAt ?? this.#now()
    }
    this.#hosted.set(key, hosted)
    if (existing && existing.loaded.contentHash === loaded.contentHash)
      return (await this.#call(hosted, { op: 'lesson.view', labKey: hosted.labKey })).view
    return (await this.#runOpen(hosted)).view
  }

  /** A learner event: next, back, answer, hint, prediction, a command clicked in the prose. */
  async send(learnerId: string, lessonId: string, event: LessonEvent): Promise<LessonView> {
    const hosted = this.#require(learnerId, lessonId)
    return (await this.#call(hosted, { op: 'lesson.send', labKey: hosted.labKey, event })).view
  }

  /**
   * A step the learner has reached, for re-reading it; nothing changes. A step not reached is
   * refused like an unknown one, so its questions never leave before the learner gets there.
   */
  async step(
    learnerId: string,
    lessonId: string,
    stepId: string
  ): Promise<{ step: StepView; body: Localized }> {
    const hosted = this.#require(learnerId, lessonId)
    const view = await this.#call(hosted, { op: 'lesson.step', labKey: hosted.labKey, stepId })
    if (!view) {
      throw new ApiError('not_found', `no step "${stepId}" reached in lesson "${lessonId}"`, {
        reason: reason('step_not_reached', { lessonId, step: stepId })
      })
    }
    return view
  }

  /**
   * The questions and predictions whose keys the learner has earned in this lesson, as its
   * session was last saved (every transition is saved before its answer leaves the host).
   */
  finishedQuestions(learnerId: string, lessonId: string): ReadonlySet<string> {
    return finishedQuestionIds(this.#savedMachine(learnerId, lessonId))
  }

  /** The prediction the learner has reached in this lesson and not locked in, as last saved. */
  pendingPrediction(learnerId: string, loaded: LoadedLesson): PendingPrediction | undefined {
    const machine = this.#savedMachine(learnerId, loaded.lesson.id)
    if (!isPersistedLessonSnapshot(machine)) return undefined
    const step = pendingPrediction(loaded.lesson, machine.context)
    return step && { stepId: step.id, trace: step.trace }
  }

  #savedMachine(learnerId: string, lessonId: string): unknown {
    const saved = this.#store.sessions.load(learnerId, lessonId)
    return saved && isStoredSession(saved.snapshot) ? saved.snapshot.machine : null
  }

  /** A command typed in the terminal while the lesson is open. */
  async exec(
    learnerId: string,
    lessonId: string,
    on: string,
    line: string
  ): Promise<ExecResult & { view: LessonView; stopped?: StoppedCommand }> {
    const hosted = this.#require(learnerId, lessonId)
    try {
      const { result, view } = await this.#call(hosted, {
        op: 'lesson.exec',
        labKey: hosted.labKey,
        on,
        line
      })
      return { ...result, view }
    } catch (error) {
      if (!(error instanceof LabStopped) || error.duringReopen) throw error
      // The command was journaled as stopped; the lab is rebuilt without it on the next call.
      const view = (await this.#runOpen(hosted)).view
      return {
        stdout: '',
        stderr: '',
        exitCode: 124,
        view,
        stopped: { afterMs: error.budgetMs, reason: error.stoppedBy }
      }
    }
  }

  /**
   * A live terminal on `on` in the lesson's lab, the same as free play's: what it prints between
   * lines comes to `onEvent`; every command it runs, at once or when it ends, reaches the lesson.
   * A line that ends between requests (a `timeout` ran out) may have passed a task: the lesson is
   * saved then, and `ended` carries its view.
   */
  openTerminal(
    learnerId: string,
    lessonId: string,
    on: string,
    onEvent: (event: LessonTerminalEvent) => void
  ): Promise<{ terminalId: string; close: () => void }> {
    const hosted = this.#require(learnerId, lessonId)
    const withSession = (event: TerminalEvent): void => {
      if (event.kind !== 'ended') return onEvent(event)
      this.#call(hosted, { op: 'lesson.view', labKey: hosted.labKey }).then(
        ({ view }) => onEvent({ ...event, session: view }),
        () => onEvent(event)
      )
    }
    return this.#terminals.open(learnerId, hosted.labKey, on, withSession, (terminalId) =>
      this.#call(hosted, { op: 'terminal.open', labKey: hosted.labKey, terminalId, on })
    )
  }

  /** A line typed into one of the lesson's live terminals, with the lesson's view after it. */
  async terminalInput(
    learnerId: string,
    lessonId: string,
    terminalId: string,
    line: string
  ): Promise<TerminalInputResult & { view: LessonView }> {
    const hosted = this.#terminal(learnerId, lessonId, terminalId)
    const reply = await this.#call(hosted, { op: 'terminal.input', labKey: hosted.labKey, terminalId, line })
    return { ...reply.result, view: (reply as LessonOutcome).view }
  }

  /** Ctrl+C or Ctrl+Z in one of the lesson's live terminals; a capture it ends may pass a task. */
  async interrupt(
    learnerId: string,
    lessonId: string,
    terminalId: string,
    signal: 'INT' | 'TSTP' = 'INT'
  ): Promise<LessonView> {
    const hosted = this.#terminal(learnerId, lessonId, terminalId)
    const reply = await this.#call(hosted, {
      op: 'terminal.interrupt',
      labKey: hosted.labKey,
      terminalId,
      signal
    })
    return (reply as LessonOutcome).view
  }

  #terminal(learnerId: string, lessonId: string, terminalId: string): Hosted {
    const hosted = this.#require(learnerId, lessonId)
    this.#terminals.check(learnerId, hosted.labKey, terminalId)
    return hosted
  }

  /** A packet the learner sends from the stepper; `traceId` names it for `trace:pcap`. */
  async trace(
    learnerId: string,
    lessonId: string,
    spec: TraceSpec
  ): Promise<{ trace: Trace; traceId: number; story: TraceStory; view: LessonView }> {
    const hosted = this.#require(learnerId, lessonId)
    const { trace, traceId, story, view } = await this.#call(hosted, {
      op: 'lesson.trace',
      labKey: hosted.labKey,
      spec
    })
    return { trace, traceId, story, view }
  }

  /**
   * Undoes lab changes without touching answers or progress: `lab` rebuilds the scenario and
   * clears the journal, `step` replays the journal only up to where the current step began.
   */
  async reset(learnerId: string, lessonId: string, scope: 'lab' | 'step'): Promise<LessonView> {
    const hosted = this.#require(learnerId, lessonId)
    const journal = this.#replayable(hosted)
    const { view } = await this.#call(hosted, { op: 'lesson.reset', labKey: hosted.labKey, scope, journal })
    return view
  }

  /** Tab completion on one of the lesson lab's targets. */
  complete(
    learnerId: string,
    lessonId: string,
    on: string,
    line: string,
    cursor: number
  ): Promise<Completion> {
    const hosted = this.#require(learnerId, lessonId)
    return this.#call(hosted, { op: 'lab.complete', labKey: hosted.labKey, on, line, cursor })
  }

  /** A trace this lesson's lab produced, as a capture file. */
  pcap(learnerId: string, lessonId: string, traceId: number, capture: CaptureChoice): Promise<DownloadFile> {
    const hosted = this.#require(learnerId, lessonId)
    return this.#call(hosted, { op: 'lab.pcap', labKey: hosted.labKey, traceId, capture })
  }

  /** The interfaces a trace of this lesson's lab crossed, each a capture file of its own. */
  capturePoints(learnerId: string, lessonId: string, traceId: number): Promise<CapturePoint[]> {
    const hosted = this.#require(learnerId, lessonId)
    return this.#call(hosted, { op: 'lab.capturePoints', labKey: hosted.labKey, traceId })
  }

  /** Drops a learner's open lessons, after their progress was reset in the store. */
  forget(learnerId: string): void {
    for (const [key, hosted] of this.#hosted) {
      if (hosted.learnerId !== learnerId) continue
      this.#pool.close(hosted.labKey)
      this.#hosted.delete(key)
    }
  }

  /** Grades an answer to a question of the current step and returns the grading with the new view. */
  answer(learnerId: string, lessonId: string, questionId: string, answer: Answer): Promise<LessonView> {
    return this.send(learnerId, lessonId, { type: 'user.answer', questionId, answer })
  }

  /** The lesson's cluster as the topology view draws it. */
  topology(learnerId: string, lessonId: string): Promise<Topology> {
    const hosted = this.#require(learnerId, lessonId)
    return this.#call(hosted, { op: 'lab.topology', labKey: hosted.labKey })
  }

  /** The lesson's cluster as the packet view draws it: devices, wires and groups. */
  diagram(learnerId: string, lessonId: string): Promise<DiagramModel> {
    const hosted = this.#require(learnerId, lessonId)
    return this.#call(hosted, { op: 'lab.diagram', labKey: hosted.labKey })
  }

  /**
   * Live state of one object for the inspector. Runs read-only commands the host chooses, outside
   * the journal and the lesson machine: looking must never solve a task.
   */
  async inspect(learnerId: string, lessonId: string, objectId: string): Promise<InspectSection[]> {
    const hosted = this.#require(learnerId, lessonId)
    const sections = await this.#call(hosted, { op: 'lab.inspect', labKey: hosted.labKey, objectId })
    if (!sections) {
      throw new ApiError('not_found', `no object "${objectId}" in this lesson's cluster`, {
        reason: reason('unknown_target', { name: objectId })
      })
    }
    return sections
  }

  /** Forgets every open lesson (the store already has their snapshots). */
  closeAll(): void {
    for (const hosted of this.#hosted.values()) this.#pool.close(hosted.labKey)
    this.#hosted.clear()
  }

  #require(learnerId: string, lessonId: string): Hosted {
    const hosted = this.#hosted.get(`${learnerId}\u0000${lessonId}`)
    if (!hosted)
      throw new ApiError('not_found', `lesson "${lessonId}" is not open for this learner; open it first`, {
        reason: reason('lesson_not_open', { lessonId })
      })
    return hosted
  }

  #replayable(hosted: Hosted): PositionedEntry[] {
    const { learnerId, loaded } = hosted
    return this.#store.journal
      .list(learnerId, loaded.lesson.id)
      .filter((row) => row.status === 'ok')
      .map((row) => ({ position: row.position, entry: row.entry as LabJournalEntry }))
  }

  /** The open request that rebuilds this lesson from the store. */
  #openRequest(hosted: Hosted): LessonOpen {
    const { learnerId, loaded } = hosted
    const saved = this.#store.sessions.load(learnerId, loaded.lesson.id, loaded.contentHash)
    const stored = saved && isStoredSession(saved.snapshot) ? saved.snapshot : null
    const nextPosition = this.#store.journal.length(learnerId, loaded.lesson.id)
    return {
      op: 'lesson.open',
      labKey: hosted.labKey,
      loaded,
      machine: stored?.machine,
      journal: this.#replayable(hosted),
      nextPosition,
      stepJournalStart: stored?.stepJournalStart ?? nextPosition,
      wasCompleted: saved?.status === 'completed'
    }
  }

  #reopen(hosted: Hosted): Reopen {
    return {
      request: this.#openRequest(hosted),
      opened: (value) => this.#persist(hosted, value as LessonOutcome)
    }
  }

  /** Opens the lesson in a worker now, skipping any journal entry that stops the rebuild. */
  async #runOpen(hosted: Hosted): Promise<LessonOutcome> {
    for (let stops = 0; ; stops++) {
      const request = this.#openRequest(hosted)
      try {
        const outcome = await this.#pool.call(request, () => this.#reopen(hosted))
        this.#persist(hosted, outcome)
        return outcome
      } catch (error) {
        if (!(error instanceof LabStopped) || stops >= maxRebuildStops) throw error
        this.#journalStopped(hosted, error)
      }
    }
  }

  /** One request on the lesson's lab; results that change the lesson are persisted first. */
  async #call<O extends LabOp>(
    hosted: Hosted,
    request: Extract<LabRequest, { op: O }>
  ): Promise<LabReplies[O]> {
    const value = await callWithRebuild(
      this.#pool,
      request,
      () => this.#reopen(hosted),
      (stop) => this.#journalStopped(hosted, stop)
    )
    if (typeof value === 'object' && value !== null && 'persists' in value)
      this.#persist(hosted, value as LessonOutcome)
    if (request.op === 'lesson.reset')
      this.#store.journal.truncate(
        hosted.learnerId,
        hosted.loaded.lesson.id,
        (value as { keep: number }).keep
      )
    return value
  }

  /** A command over its budget stays in the journal, marked stopped, and is never replayed. */
  #journalStopped(hosted: Hosted, stop: LabStopped): void {
    const running = stop.running
    if (!running || running.labKey !== hosted.labKey) return
    const { learnerId } = hosted
    const lessonId = hosted.loaded.lesson.id
    if (running.entry.position < this.#store.journal.length(learnerId, lessonId))
      this.#store.journal.markStopped(learnerId, lessonId, running.entry.position)
    else this.#store.journal.append(learnerId, lessonId, running.entry.entry, 'stopped')
  }

  #persist(hosted: Hosted, outcome: LessonOutcome): void {
    const { learnerId, loaded } = hosted
    const lesson = loaded.lesson
    const lessonId = lesson.id
    const now = this.#now()
    const activeMsDelta = Math.min(Math.max(0, now - hosted.lastActiveAt), maxActiveGapMs)
    hosted.lastActiveAt = now
    this.#store.transaction(() => {
      for (const { entry } of outcome.journaled) this.#store.journal.append(learnerId, lessonId, entry)
      outcome.persists.forEach((persist, i) => {
        const stored: StoredSession = { machine: persist.machine, stepJournalStart: persist.stepJournalStart }
        this.#store.sessions.saveSnapshot({
          learnerId,
          lessonId,
          snapshot: stored,
          contentHash: loaded.contentHash,
          stepId: persist.stepId,
          activeMsDelta: i === 0 ? activeMsDelta : 0
        })
        for (const { record, answer } of persist.records) {
          switch (record.kind) {
            case 'step-completed':
              this.#store.events.append({
                learnerId,
                lessonId,
                stepId: record.stepId,
                kind: 'step-completed'
              })
              break
            case 'quiz-attempt':
              this.#store.attempts.record({
                learnerId,
                lessonId,
                stepId: record.stepId,
                questionId: record.grading.questionId,
                kind: 'quiz',
                answer,
                correct: record.grading.correct,
                score: record.grading.maxScore === 0 ? 0 : record.grading.score / record.grading.maxScore,
                hintsUsed: 0,
                durationMs: i === 0 ? activeMsDelta : 0
              })
              break
            case 'hint-used':
              this.#store.hints.record({
                learnerId,
                lessonId,
                stepId: record.stepId,
                kind: record.level,
                level: record.level === 'static' ? record.count : 0
              })
              break
            case 'prediction-revealed':
              this.#store.attempts.record({
                learnerId,
                lessonId,
                stepId: record.stepId,
                questionId: record.stepId,
                kind: 'prediction',
                answer,
                justification: record.justification ?? null,
                correct: record.correct,
                score: record.correct ? 1 : 0,
                hintsUsed: 0,
                durationMs: i === 0 ? activeMsDelta : 0
              })
              break
          }
        }
        if (persist.completed) {
          const session = this.#store.sessions.complete({ learnerId, lessonId, ...persist.completed })
          // The session keeps the best score and a growing time; reports need each completion as it was.
          const data: LessonCompletedData = { ...persist.completed, timeSpentMs: session.timeSpentMs }
          this.#store.events.append({
            learnerId,
            lessonId,
            stepId: persist.stepId,
            kind: LESSON_COMPLETED,
            data
          })
        }
      })
    })
  }
}
