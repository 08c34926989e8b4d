import type { Trace } from '../../../../src-main/core/engine/trace.ts'
import type { Answer } from '../../../../src-main/core/lesson/quiz.ts'
import type { Localized } from '../../../../src-main/core/lesson/lesson.schema.ts'
import {
  api,
  ApiCallError,
  errorText,
  isConnectionLost,
  type MethodInput,
  type MethodOutput
} from '../api.ts'
import {
  saveDownload,
  type CaptureChoice,
  type CapturePoint,
  type Completion,
  type Diagram,
  type LabWorkspace,
  liveTerminals,
  type LiveTerminalHost,
  type TraceStory
} from './lab-workspace.ts'
import { visitMinutes, visitStartedAt } from './lesson-visit.ts'

type LessonOpen = MethodOutput<'lesson:open'>
type SessionView = LessonOpen['session']
export type StepView = NonNullable<SessionView['step']>
export type QuestionView = Extract<StepView, { kind: 'quiz' }>['questions'][number]
export type Topology = MethodOutput<'lab:topology'>
export type TraceRequest = MethodInput<'trace:run'>['trace']
type LearnerEvent = MethodInput<'lesson:send'>['event']
type InspectResult = MethodOutput<'lab:inspect'>
/** A reached step as it stands, shown read-only while the lesson stays where it is. */
export type StepReview = MethodOutput<'lesson:step'>
type ExecResult = Omit<MethodOutput<'shell:exec'>, 'session'>
export type { Answer }

/** A command the prose asked the terminal to run; `seq` makes a repeated click a new request. */
interface RunRequest {
  seq: number
  command: string
  /** The target to run it on; the terminal's current tab when absent. */
  on?: string
}

/**
 * One open lesson as the workspace sees it: the lesson's prose, the lesson machine's view (kept
 * in main; every response carries the new one), the lab's topology, the trace on the stepper and
 * the object being inspected. Components read the getters and call the methods; nothing else
 * talks to the API for the lesson.
 */
export class LessonPlayer implements LabWorkspace {
  readonly learnerId: string
  readonly lessonId: string
  #lesson = $state.raw<LessonOpen | null>(null)
  #session = $state.raw<SessionView | null>(null)
  /** The prose of each step reached so far, by step id: from the open and from every step since. */
  #bodies = $state.raw<Readonly<Record<string, Localized>>>({})
  #topology = $state.raw<Topology | null>(null)
  #diagram = $state.raw<Diagram | null>(null)
  #trace = $state.raw<Trace | null>(null)
  #traceRequest = $state.raw<TraceRequest | null>(null)
  #traceId = $state<number | null>(null)
  #story = $state.raw<TraceStory | null>(null)
  #inspected = $state.raw<InspectResult | null>(null)
  #selected = $state<string | null>(null)
  #runRequest = $state.raw<RunRequest | null>(null)
  #review = $state.raw<StepReview | null>(null)
  #error = $state<string | null>(null)
  #notFound = $state(false)
  #busy = $state(false)
  readonly #visitStartedAt: number
  #reopening: Promise<void> | null = null

  constructor(learnerId: string, lessonId: string) {
    this.learnerId = learnerId
    this.lessonId = lessonId
    this.#visitStartedAt = visitStartedAt(() => sessionStorage, learnerId, lessonId, Date.now())
  }

  /** The prose of a step the learner has reached, or undefined for one not reached (never sent). */
  bodyOf(stepId: string): Localized | undefined {
    return Object.hasOwn(this.#bodies, stepId) ? this.#bodies[stepId] : undefined
  }

  get lesson(): LessonOpen | null {
    return this.#lesson
  }
  get session(): SessionView | null {
    return this.#session
  }
  get topology(): Topology | null {
    return this.#topology
  }
  get diagram(): Diagram | null {
    return this.#diagram
  }
  /** The trace on the stepper, and what was asked for to get it. */
  get trace(): Trace | null {
    return this.#trace
  }
  get traceRequest(): TraceRequest | null {
    return this.#traceRequest
  }
  get traceId(): number | null {
    return this.#traceId
  }
  get story(): TraceStory | null {
    return this.#story
  }
  get inspected(): InspectResult | null {
    return this.#inspected
  }
  /** The object picked in the topology (for the inspector and hotspot questions). */
  get selected(): string | null {
    return this.#selected
  }
  get runRequest(): RunRequest | null {
    return this.#runRequest
  }
  /** The past step being re-read, or null while the current step (or the completion) shows. */
  get review(): StepReview | null {
    return this.#review
  }
  get error(): string | null {
    return this.#error
  }
  get notFound(): boolean {
    return this.#notFound
  }
  get busy(): boolean {
    return this.#busy
  }
  /** Minutes since the lesson was first opened in this visit (reloads included), for the completion screen. */
  get minutesThisVisit(): number {
    return visitMinutes(this.#visitStartedAt, Date.now())
  }

  async open(): Promise<void> {
    await this.#guard(() => this.#load())
    // The drawing follows the lesson: the workspace is usable while it is on its way.
    if (this.#lesson) await this.#refreshDiagram()
  }

  async #load(): Promise<void> {
    const lesson = await api['lesson:open']({ learnerId: this.learnerId, lessonId: this.lessonId })
    this.#lesson = lesson
    this.#bodies = lesson.reachedBodies
    this.#absorb(lesson.session)
    this.#topology = lesson.topology
  }

  /**
   * Makes a call on the open lesson. A host that restarted since the lesson was opened (while the
   * connection was lost, or while the page sat idle) has no lesson open and answers not_found: the
   * lesson is opened again, resuming from what the host saved, and the call is made once more.
   */
  async #onLesson<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (!this.#isNotOpen(error)) throw error
      await this.#reopen()
      return call()
    }
  }

  #isNotOpen(error: unknown): boolean {
    return error instanceof ApiCallError && error.code === 'not_found' && this.#lesson !== null
  }

  /** Calls made side by side (the topology, the drawing, the terminals) share one reopening. */
  #reopen(): Promise<void> {
    this.#reopening ??= this.#load().finally(() => (this.#reopening = null))
    return this.#reopening
  }

  async refreshTopology(): Promise<void> {
    const ref = { learnerId: this.learnerId, lessonId: this.lessonId }
    const [topology] = await Promise.all([
      this.#onLesson(() => api['lab:topology'](ref)),
      this.#refreshDiagram()
    ])
    this.#topology = topology
  }

  /** A drawing that cannot be fetched leaves the previous one: the lab itself still works. */
  async #refreshDiagram(): Promise<void> {
    try {
      this.#diagram = await this.#onLesson(() =>
        api['lab:diagram']({ learnerId: this.learnerId, lessonId: this.lessonId })
      )
    } catch {
      // Shown as "no drawing yet" by the packet view; the terminal and stepper do not need it.
    }
  }

  /** Shows a step already reached, read-only, as main has it; the lesson itself does not move. */
  async showStep(stepId: string): Promise<void> {
    await this.#guard(async () => {
      this.#review = await api['lesson:step']({ learnerId: this.learnerId, lessonId: this.lessonId, stepId })
    })
  }

  /** Back from re-reading to where the learner is: the current step, or the completion. */
  closeReview(): void {
    this.#review = null
  }

  async send(event: LearnerEvent): Promise<void> {
    await this.#guard(async () => {
      this.#absorb(
        await this.#onLesson(() =>
          api['lesson:send']({ learnerId: this.learnerId, lessonId: this.lessonId, event })
        )
      )
    })
  }

  /** Grades one attempt; the grading also lands in the session view, which the quiz UI reads. */
  async answer(questionId: string, answer: Answer): Promise<void> {
    await this.#guard(async () => {
      const { session } = await this.#onLesson(() =>
        api['quiz:submit']({ learnerId: this.learnerId, lessonId: this.lessonId, questionId, answer })
      )
      this.#absorb(session)
    })
  }

  /** Runs one terminal line in the lab; world changes (a link set down) show in the topology. */
  async exec(on: string, line: string): Promise<ExecResult> {
    const { session, ...output } = await this.#onLesson(() =>
      api['shell:exec']({ learnerId: this.learnerId, lessonId: this.lessonId, on, line })
    )
    await this.#afterLine(session)
    return output
  }

  /**
   * The lab's terminals stay open between lines, as free play's do: captures run until Ctrl+C,
   * and a line that ends later (or a job) reaches the lesson's tasks when it ends.
   */
  readonly live: LiveTerminalHost = liveTerminals(
    () => ({ learnerId: this.learnerId, lab: { kind: 'lesson', lessonId: this.lessonId } }),
    {
      input: (output) => this.#afterLine(output.session),
      interrupt: (output) => {
        if (output.session) this.#absorb(output.session)
      },
      // A line that ended by itself (a `timeout`) may have passed a task: no answer brings that.
      ended: (event) => {
        this.#afterLine(event.session).catch((error: unknown) => (this.#error = errorText(error)))
      },
      recover: async (error) => {
        if (!this.#isNotOpen(error)) return false
        await this.#reopen()
        return true
      }
    }
  )

  /** A line may have passed a task and changed the world: the session, drawing and inspector follow. */
  async #afterLine(session: SessionView | undefined): Promise<void> {
    if (session) this.#absorb(session)
    try {
      await this.refreshTopology()
    } catch (error) {
      // The command ran: a connection lost just after it leaves the drawing behind, not the output.
      if (!isConnectionLost(error)) throw error
    }
    if (this.#selected) await this.inspect(this.#selected)
  }

  /** Sends a packet and puts its trace on the stepper. */
  async runTrace(request: TraceRequest): Promise<void> {
    await this.#guard(async () => {
      const { trace, traceId, story, session } = await this.#onLesson(() =>
        api['trace:run']({ learnerId: this.learnerId, lessonId: this.lessonId, trace: request })
      )
      this.#absorb(session)
      this.#traceRequest = request
      this.#story = story
      this.#trace = trace
      this.#traceId = traceId
    })
  }

  /** Tab completion from the lab's command registry and the target's own names. */
  complete(on: string, line: string, cursor: number): Promise<Completion> {
    const lab = { kind: 'lesson' as const, lessonId: this.lessonId }
    return this.#onLesson(() => api['shell:complete']({ learnerId: this.learnerId, lab, on, line, cursor }))
  }

  async capturePoints(): Promise<CapturePoint[]> {
    const traceId = this.#traceId
    let points: CapturePoint[] = []
    if (traceId === null) return points
    await this.#guard(async () => {
      const lab = { kind: 'lesson' as const, lessonId: this.lessonId }
      points = (
        await this.#onLesson(() => api['trace:capturePoints']({ learnerId: this.learnerId, lab, traceId }))
      ).points
    })
    return points
  }

  async downloadPcap(capture: CaptureChoice): Promise<void> {
    const traceId = this.#traceId
    if (traceId === null) return
    await this.#guard(async () => {
      const lab = { kind: 'lesson' as const, lessonId: this.lessonId }
      saveDownload(
        await this.#onLesson(() => api['trace:pcap']({ learnerId: this.learnerId, lab, traceId, capture }))
      )
    })
  }

  /**
   * Undoes lab changes: the whole lab, or only what changed during the current step. Answers and
   * progress stay; the stepper empties, since its trace belongs to the world that was undone.
   */
  async reset(scope: 'lab' | 'step'): Promise<void> {
    await this.#guard(async () => {
      this.#absorb(
        await this.#onLesson(() =>
          api['lesson:reset']({ learnerId: this.learnerId, lessonId: this.lessonId, scope })
        )
      )
      this.#trace = null
      this.#story = null
      this.#traceRequest = null
      this.#traceId = null
      await this.refreshTopology()
      if (this.#selected) await this.inspect(this.#selected)
    })
  }

  async inspect(objectId: string): Promise<void> {
    this.#selected = objectId
    await this.#guard(async () => {
      this.#inspected = await this.#onLesson(() =>
        api['lab:inspect']({ learnerId: this.learnerId, lessonId: this.lessonId, objectId })
      )
    })
  }

  closeInspection(): void {
    this.#inspected = null
  }

  /** A command clicked in the prose or the inspector: the terminal picks the request up and runs it. */
  requestRun(command: string, on?: string): void {
    const request: RunRequest = { seq: (this.#runRequest?.seq ?? 0) + 1, command }
    if (on) request.on = on
    this.#runRequest = request
  }

  dismissError(): void {
    this.#error = null
  }

  /** Takes a new session view; a step re-read before the lesson moved on is put away. */
  #absorb(session: SessionView): void {
    if (this.#session && session.current !== this.#session.current) this.#review = null
    this.#session = session
    if (session.body && this.bodyOf(session.current)?.en !== session.body.en)
      this.#bodies = { ...this.#bodies, [session.current]: session.body }
  }

  async #guard(work: () => Promise<void>): Promise<void> {
    this.#busy = true
    this.#error = null
    try {
      await work()
    } catch (error) {
      if (error instanceof ApiCallError && error.code === 'not_found' && !this.#lesson) this.#notFound = true
      else this.#error = errorText(error)
    } finally {
      this.#busy = false
    }
  }
}
