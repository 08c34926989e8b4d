import {
  STUCK_RULE,
  type ClassEvent,
  type Dashboard,
  type LearnerState,
  type QuestionStats
} from '../api/classroom-contract.ts'
import type { ClassAttempt, ClassMember, ProgressStore } from '../store/index.ts'

/** A learner counts as online for this long after their last call. */
export const ONLINE_MS = 60_000

interface Tracked {
  member: ClassMember
  lessonId: string | null
  stepId: string | null
  completed: boolean
  stepSince: number | null
  failedOnStep: number
  hintsOnStep: number
  lastSeen: number
  online: boolean
  stuck: boolean
  cursors: { attempt: string; hint: string }
}

type Listener = (event: ClassEvent) => void

const iso = (ms: number): string => new Date(ms).toISOString()

/** The stuck rule of the contract (STUCK_RULE), as reasons; empty = not stuck. */
export function stuckReasons(
  state: { completed: boolean; stepSince: number | null; failedOnStep: number; hintsOnStep: number },
  now: number
): ('time' | 'failures' | 'hints')[] {
  if (state.completed || state.stepSince === null) return []
  const onStep = now - state.stepSince
  const reasons: ('time' | 'failures' | 'hints')[] = []
  if (onStep >= STUCK_RULE.minutesOnStep * 60_000) reasons.push('time')
  if (state.failedOnStep >= STUCK_RULE.failedAttempts) reasons.push('failures')
  if (state.hintsOnStep >= STUCK_RULE.hintsUsed && onStep >= STUCK_RULE.hintMinutes * 60_000)
    reasons.push('hints')
  return reasons
}

/** The step a learner's lesson view says they are on. */
export interface ObservedStep {
  lessonId: string
  stepId: string
  completed: boolean
  /** Set when a command ran on an unsolved task step. */
  taskCommand?: { exitCode: number; solved: boolean }
}

/**
 * One class's live picture: where each member is, how long on the step, failures and hints there,
 * online or not. Fed after each learner call from the rows the call committed (so the dashboard
 * shows only what the store really holds), and pushed to subscribers as ClassEvents.
 */
export class LiveClass {
  readonly #tracked = new Map<string, Tracked>()
  readonly #listeners = new Set<Listener>()

  constructor(
    readonly classId: string,
    private readonly store: ProgressStore,
    private readonly now: () => number
  ) {
    const positions = new Map(store.classes.positions(classId).map((p) => [p.learnerId, p]))
    const attempts = store.classes.attempts(classId)
    const hints = store.classes.hints(classId)
    for (const member of store.classes.members(classId)) {
      const at = positions.get(member.learnerId)
      const onStep = (row: { learnerId: string; lessonId: string; stepId: string }): boolean =>
        at !== undefined &&
        row.learnerId === member.learnerId &&
        row.lessonId === at.lessonId &&
        row.stepId === at.stepId
      this.#tracked.set(member.learnerId, {
        member,
        lessonId: at?.lessonId ?? null,
        stepId: at?.stepId ?? null,
        completed: at?.status === 'completed',
        stepSince: at?.updatedAt ?? null,
        failedOnStep: attempts.filter((a) => onStep(a) && !a.correct).length,
        hintsOnStep: hints.filter(onStep).length,
        lastSeen: 0,
        online: false,
        stuck: false,
        cursors: store.classes.cursors(member.learnerId)
      })
    }
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  get subscribers(): number {
    return this.#listeners.size
  }

  #emit(event: ClassEvent): void {
    for (const listener of this.#listeners) listener(event)
  }

  joined(member: ClassMember): void {
    this.#tracked.set(member.learnerId, {
      member,
      lessonId: null,
      stepId: null,
      completed: false,
      stepSince: null,
      failedOnStep: 0,
      hintsOnStep: 0,
      lastSeen: this.now(),
      online: true,
      stuck: false,
      cursors: { attempt: '', hint: '' }
    })
    this.#emit({
      type: 'learner-joined',
      at: iso(this.now()),
      learnerId: member.learnerId,
      name: member.displayName,
      seatCode: member.seatCode
    })
  }

  /** Any authenticated call of the learner: marks them online (a `learner-joined` when they come back). */
  seen(learnerId: string): void {
    const t = this.#tracked.get(learnerId)
    if (!t) return
    t.lastSeen = this.now()
    if (!t.online) {
      t.online = true
      this.#emit({
        type: 'learner-joined',
        at: iso(t.lastSeen),
        learnerId,
        name: t.member.displayName,
        seatCode: t.member.seatCode
      })
    }
  }

  /** The instructor reset the seat: the dashboard shows the new code, the learner is signed out. */
  seatReset(member: ClassMember): void {
    const t = this.#tracked.get(member.learnerId)
    if (!t) return
    t.member = member
    t.online = false
    t.lastSeen = 0
    this.#emit({ type: 'learner-state', at: iso(this.now()), learner: this.#state(t, this.now()) })
  }

  left(learnerId: string): void {
    const t = this.#tracked.get(learnerId)
    if (!t?.online) return
    t.online = false
    t.lastSeen = 0
    this.#emit({ type: 'learner-left', at: iso(this.now()), learnerId, name: t.member.displayName })
  }

  /** After a learner's lesson call: new attempts and hints from the store, the step they are on now. */
  observe(learnerId: string, step: ObservedStep | null): void {
    const t = this.#tracked.get(learnerId)
    if (!t) return
    const now = this.now()
    if (
      step &&
      (step.lessonId !== t.lessonId || step.stepId !== t.stepId || step.completed !== t.completed)
    ) {
      const moved = step.lessonId !== t.lessonId || step.stepId !== t.stepId
      t.lessonId = step.lessonId
      t.stepId = step.stepId
      t.completed = step.completed
      if (moved) {
        t.stepSince = now
        t.failedOnStep = 0
        t.hintsOnStep = 0
      }
      this.#emit({
        type: 'step-changed',
        at: iso(now),
        learnerId,
        lessonId: step.lessonId,
        stepId: step.stepId,
        completed: step.completed
      })
    }
    for (const a of this.store.classes.attemptsSince(learnerId, t.cursors.attempt)) {
      t.cursors.attempt = a.id
      if (!a.correct && a.lessonId === t.lessonId && a.stepId === t.stepId) t.failedOnStep++
      this.#emit(attemptEvent(a))
    }
    for (const h of this.store.classes.hintsSince(learnerId, t.cursors.hint)) {
      t.cursors.hint = h.id
      if (h.lessonId === t.lessonId && h.stepId === t.stepId) t.hintsOnStep++
      this.#emit({
        type: 'hint-used',
        at: iso(h.at),
        learnerId,
        lessonId: h.lessonId,
        stepId: h.stepId,
        kind: h.kind
      })
    }
    if (step?.taskCommand && !step.taskCommand.solved && step.taskCommand.exitCode !== 0) {
      t.failedOnStep++
      this.#emit({
        type: 'task-failed',
        at: iso(now),
        learnerId,
        lessonId: step.lessonId,
        stepId: step.stepId,
        exitCode: step.taskCommand.exitCode
      })
    }
    this.#restate(t, now)
  }

  /** Periodic: time-based stuck flags and learners gone quiet. */
  tick(): void {
    const now = this.now()
    for (const t of this.#tracked.values()) {
      if (t.online && now - t.lastSeen > ONLINE_MS) {
        t.online = false
        this.#emit({
          type: 'learner-left',
          at: iso(now),
          learnerId: t.member.learnerId,
          name: t.member.displayName
        })
      }
      this.#restate(t, now)
    }
  }

  #restate(t: Tracked, now: number): void {
    const stuck = stuckReasons(t, now).length > 0
    if (stuck !== t.stuck) {
      t.stuck = stuck
      this.#emit({ type: 'learner-state', at: iso(now), learner: this.#state(t, now) })
    }
  }

  #state(t: Tracked, now: number): LearnerState {
    const reasons = stuckReasons(t, now)
    return {
      learnerId: t.member.learnerId,
      name: t.member.displayName,
      seatCode: t.member.seatCode,
      online: t.online && now - t.lastSeen <= ONLINE_MS,
      joinedAt: iso(t.member.joinedAt),
      lessonId: t.lessonId,
      stepId: t.stepId,
      completed: t.completed,
      stepSince: t.stepSince === null ? null : iso(t.stepSince),
      timeOnStepMs: t.stepSince === null ? 0 : Math.max(0, now - t.stepSince),
      failedAttempts: t.failedOnStep,
      hintsUsed: t.hintsOnStep,
      stuck: reasons.length > 0,
      stuckReasons: reasons,
      lessonsCompleted: 0
    }
  }

  classClosed(): void {
    this.#emit({ type: 'class-closed', at: iso(this.now()) })
  }

  lessonsChanged(gates: Pick<Dashboard, 'lessons' | 'newLessons'>): void {
    this.#emit({ type: 'lessons-changed', at: iso(this.now()), ...gates })
  }

  /** The full dashboard; `anonymous` leaves out the learners and every name. */
  dashboard(anonymous: boolean): Dashboard {
    const now = this.now()
    const cls = this.store.classes.get(this.classId)!
    const completedByLearner = new Map<string, number>()
    for (const row of this.store.classes.report(this.classId)) {
      if (row.status === 'completed')
        completedByLearner.set(row.learnerId, (completedByLearner.get(row.learnerId) ?? 0) + 1)
    }
    const learners = [...this.#tracked.values()].map((t) => ({
      ...this.#state(t, now),
      lessonsCompleted: completedByLearner.get(t.member.learnerId) ?? 0
    }))
    const names = new Map([...this.#tracked.values()].map((t) => [t.member.learnerId, t.member.displayName]))
    return {
      classId: cls.id,
      name: cls.name,
      status: cls.status,
      joinCode: cls.joinCode,
      at: iso(now),
      learners: anonymous ? [] : learners,
      stuckCount: learners.filter((l) => l.stuck).length,
      questions: questionStats(this.store.classes.attempts(this.classId), anonymous ? null : names),
      lessons: this.store.classes.lessons(this.classId),
      newLessons: cls.newLessons
    }
  }
}

function attemptEvent(a: ClassAttempt): ClassEvent {
  return {
    type: 'attempt',
    at: iso(a.at),
    learnerId: a.learnerId,
    lessonId: a.lessonId,
    stepId: a.stepId,
    questionId: a.questionId,
    kind: a.kind,
    answer: a.answerJson,
    correct: a.correct,
    attemptNo: a.attemptNo
  }
}

/**
 * Per question: every attempt grouped by answer, and the difficulty figure — the share of the
 * learners who answered it that were right on their first attempt.
 */
export function questionStats(
  attempts: readonly ClassAttempt[],
  names: ReadonlyMap<string, string> | null
): QuestionStats[] {
  const byQuestion = new Map<string, ClassAttempt[]>()
  for (const a of attempts) {
    const key = `${a.lessonId}\u0000${a.questionId}`
    const list = byQuestion.get(key)
    if (list) list.push(a)
    else byQuestion.set(key, [a])
  }
  const stats: QuestionStats[] = []
  for (const list of byQuestion.values()) {
    const first = list.filter((a) => a.attemptNo === 1)
    const answers = new Map<
      string,
      { answer: string; correct: boolean; count: number; learners: Set<string> }
    >()
    for (const a of list) {
      const entry = answers.get(a.answerJson) ?? {
        answer: a.answerJson,
        correct: a.correct,
        count: 0,
        learners: new Set<string>()
      }
      entry.count++
      if (names) entry.learners.add(names.get(a.learnerId) ?? a.learnerId)
      answers.set(a.answerJson, entry)
    }
    stats.push({
      lessonId: list[0]!.lessonId,
      questionId: list[0]!.questionId,
      kind: list[0]!.kind,
      answered: new Set(list.map((a) => a.learnerId)).size,
      firstAttemptCorrect: first.length === 0 ? null : first.filter((a) => a.correct).length / first.length,
      answers: [...answers.values()]
        .sort((x, y) => y.count - x.count || (x.answer < y.answer ? -1 : 1))
        .map((e) => ({
          answer: e.answer,
          correct: e.correct,
          count: e.count,
          learners: [...e.learners].sort()
        }))
    })
  }
  return stats.sort((x, y) => (x.lessonId + x.questionId < y.lessonId + y.questionId ? -1 : 1))
}
