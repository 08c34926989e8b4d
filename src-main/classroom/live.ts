import {
  STUCK_RULE,
  type ClassEvent,
  type Dashboard,
  type LearnerState,
  type QuestionStats,
  type StuckReason
} from '../api/classroom-contract.ts'
import { SILENT_OFFLINE_MS } from '../api/presence.ts'
import { anonymousDashboard } from './anonymous-feed.ts'
import type { ClassAttempt, ClassMember, ProgressStore } from '../store/index.ts'

type LastFailure = LearnerState['lastFailure']

interface Tracked {
  member: ClassMember
  lessonId: string | null
  stepId: string | null
  completed: boolean
  stepSolved: boolean
  stepSince: number | null
  /** Time on the step while online and unsolved, up to `timingFrom`. */
  activeMs: number
  /** When the running stretch of time on the step began; null while the clock is stopped. */
  timingFrom: number | null
  failedCommands: number
  wrongAnswers: number
  hintsOnStep: number
  lastFailure: LastFailure
  score: number | null
  passed: boolean | null
  /** Lessons this learner completed in the class, each once however often it was completed. */
  completedLessons: Set<string>
  lastSeen: number
  online: boolean
  reasons: string
  cursors: { attempt: string; hint: string }
}

type Listener = (event: ClassEvent) => void

/** A member who just joined: online, nowhere yet. */
function fresh(member: ClassMember, now: number): Tracked {
  return {
    member,
    lessonId: null,
    stepId: null,
    completed: false,
    stepSolved: false,
    stepSince: null,
    activeMs: 0,
    timingFrom: null,
    failedCommands: 0,
    wrongAnswers: 0,
    hintsOnStep: 0,
    lastFailure: null,
    score: null,
    passed: null,
    completedLessons: new Set(),
    lastSeen: now,
    online: true,
    reasons: '',
    cursors: { attempt: '', hint: '' }
  }
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** What the stuck rule reads of a learner on their step. */
export interface StepEffort {
  stepId: string | null
  completed: boolean
  stepSolved: boolean
  timeOnStepMs: number
  failedCommands: number
  wrongAnswers: number
  hintsOnStep: number
}

/** The stuck rule of the contract (STUCK_RULE), as reasons; empty = not stuck. */
export function stuckReasons(effort: StepEffort): StuckReason[] {
  if (effort.completed || effort.stepSolved || effort.stepId === null) return []
  const reasons: StuckReason[] = []
  if (effort.failedCommands >= STUCK_RULE.failedAttempts) reasons.push('commands')
  if (effort.wrongAnswers >= STUCK_RULE.failedAttempts) reasons.push('answers')
  if (effort.timeOnStepMs >= STUCK_RULE.minutesOnStep * 60_000) reasons.push('time')
  if (effort.hintsOnStep >= STUCK_RULE.hintsUsed && effort.timeOnStepMs >= STUCK_RULE.hintMinutes * 60_000)
    reasons.push('hints')
  return reasons
}

/** The step a learner's lesson view says they are on. */
export interface ObservedStep {
  lessonId: string
  stepId: string
  completed: boolean
  /** The step asks nothing more: its task done, its questions finished, its prediction revealed. */
  solved: boolean
  /** The lesson's score so far (0..1, null before anything was graded) against its pass mark. */
  score: number | null
  passed: boolean | null
  /** Set when a command ran on an unsolved task step. */
  taskCommand?: { line: string; exitCode: number; solved: boolean }
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
    const report = store.classes.report(classId)
    for (const member of store.classes.members(classId)) {
      const at = positions.get(member.learnerId)
      const onStep = (row: { learnerId: string; lessonId: string; stepId: string }): boolean =>
        at !== undefined &&
        row.learnerId === member.learnerId &&
        row.lessonId === at.lessonId &&
        row.stepId === at.stepId
      const wrong = attempts.filter((a) => onStep(a) && !a.correct)
      const last = wrong.at(-1)
      this.#tracked.set(member.learnerId, {
        ...fresh(member, 0),
        lessonId: at?.lessonId ?? null,
        stepId: at?.stepId ?? null,
        completed: at?.status === 'completed',
        stepSince: at?.updatedAt ?? null,
        wrongAnswers: wrong.length,
        hintsOnStep: hints.filter(onStep).length,
        lastFailure: last
          ? {
              kind: 'answer',
              questionId: last.questionId,
              answer: last.answerJson,
              justification: last.justification
            }
          : null,
        completedLessons: new Set(
          report
            .filter((r) => r.learnerId === member.learnerId && r.status === 'completed')
            .map((r) => r.lessonId)
        ),
        online: false,
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
    this.#tracked.set(member.learnerId, fresh(member, this.now()))
    this.#emit({
      type: 'learner-joined',
      at: iso(this.now()),
      learnerId: member.learnerId,
      name: member.displayName,
      seatCode: member.seatCode
    })
  }

  /** Any authenticated call or heartbeat of the learner: online (a `learner-joined` when they come back). */
  seen(learnerId: string): void {
    const t = this.#tracked.get(learnerId)
    if (!t) return
    const now = this.now()
    t.lastSeen = now
    if (!t.online) {
      t.online = true
      this.#retime(t, now)
      this.#emit({
        type: 'learner-joined',
        at: iso(now),
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
    this.#goOffline(t, this.now())
    this.#emit({ type: 'learner-state', at: iso(this.now()), learner: this.#state(t, this.now()) })
  }

  left(learnerId: string): void {
    const t = this.#tracked.get(learnerId)
    if (!t?.online) return
    this.#goOffline(t, this.now())
    this.#emit({ type: 'learner-left', at: iso(this.now()), learnerId, name: t.member.displayName })
    this.#restate(t, this.now(), true)
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
      if (step.completed) t.completedLessons.add(step.lessonId)
      t.lessonId = step.lessonId
      t.stepId = step.stepId
      t.completed = step.completed
      if (moved) {
        t.stepSince = now
        t.activeMs = 0
        t.timingFrom = null
        t.failedCommands = 0
        t.wrongAnswers = 0
        t.hintsOnStep = 0
        t.lastFailure = null
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
    if (step) {
      t.stepSolved = step.solved
      t.score = step.score
      t.passed = step.passed
    }
    const answered = new Map<string, { lessonId: string; questionId: string }>()
    for (const a of this.store.classes.attemptsSince(learnerId, t.cursors.attempt)) {
      t.cursors.attempt = a.id
      if (!a.correct && a.lessonId === t.lessonId && a.stepId === t.stepId) {
        t.wrongAnswers++
        t.lastFailure = {
          kind: 'answer',
          questionId: a.questionId,
          answer: a.answerJson,
          justification: a.justification
        }
      }
      answered.set(`${a.lessonId}\u0000${a.questionId}`, a)
      this.#emit(attemptEvent(a))
    }
    if (answered.size > 0) {
      const names = this.#names()
      for (const { lessonId, questionId } of answered.values()) {
        const [question] = questionStats(
          this.store.classes.questionAttempts(this.classId, lessonId, questionId),
          names
        )
        if (question) this.#emit({ type: 'question-stats', at: iso(now), question })
      }
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
      t.failedCommands++
      t.lastFailure = {
        kind: 'command',
        command: step.taskCommand.line,
        exitCode: step.taskCommand.exitCode
      }
      this.#emit({
        type: 'task-failed',
        at: iso(now),
        learnerId,
        lessonId: step.lessonId,
        stepId: step.stepId,
        exitCode: step.taskCommand.exitCode
      })
    }
    this.#retime(t, now)
    this.#restate(t, now, step !== null)
  }

  /** Periodic: learners gone quiet go offline, time-based stuck flags. */
  tick(): void {
    const now = this.now()
    for (const t of this.#tracked.values()) {
      if (t.online && now - t.lastSeen > SILENT_OFFLINE_MS) {
        this.#goOffline(t, now)
        this.#emit({
          type: 'learner-left',
          at: iso(now),
          learnerId: t.member.learnerId,
          name: t.member.displayName
        })
        this.#restate(t, now, true)
      } else this.#restate(t, now, false)
    }
  }

  /** Offline: the step's clock stops at the last sign of life, not when the silence was noticed. */
  #goOffline(t: Tracked, now: number): void {
    t.online = false
    this.#retime(t, Math.min(now, t.lastSeen))
  }

  /** Stops or starts the step's clock: it runs only while online, on an unsolved step. */
  #retime(t: Tracked, now: number): void {
    if (t.timingFrom !== null) t.activeMs += Math.max(0, now - t.timingFrom)
    t.timingFrom = null
    if (t.online && t.stepId !== null && !t.completed && !t.stepSolved) t.timingFrom = now
  }

  #timeOnStep(t: Tracked, now: number): number {
    return t.activeMs + (t.timingFrom === null ? 0 : Math.max(0, now - t.timingFrom))
  }

  /** Pushes the learner's state when `changed`, or when their stuck flag or its reasons changed. */
  #restate(t: Tracked, now: number, changed: boolean): void {
    const reasons = this.#reasons(t, now).join(',')
    if (!changed && reasons === t.reasons) return
    t.reasons = reasons
    this.#emit({ type: 'learner-state', at: iso(now), learner: this.#state(t, now) })
  }

  #reasons(t: Tracked, now: number): StuckReason[] {
    return stuckReasons({ ...t, timeOnStepMs: this.#timeOnStep(t, now) })
  }

  #state(t: Tracked, now: number): LearnerState {
    const reasons = this.#reasons(t, now)
    return {
      learnerId: t.member.learnerId,
      name: t.member.displayName,
      seatCode: t.member.seatCode,
      studentId: t.member.studentId,
      online: t.online,
      joinedAt: iso(t.member.joinedAt),
      lessonId: t.lessonId,
      stepId: t.stepId,
      completed: t.completed,
      stepSince: t.stepSince === null ? null : iso(t.stepSince),
      timeOnStepMs: this.#timeOnStep(t, now),
      timingSince: t.timingFrom === null ? null : iso(now),
      stepSolved: t.stepSolved,
      failedAttempts: t.failedCommands + t.wrongAnswers,
      hintsUsed: t.hintsOnStep,
      stuck: reasons.length > 0,
      stuckReasons: reasons,
      lastFailure: t.lastFailure,
      lessonsCompleted: t.completedLessons.size,
      completedLessons: [...t.completedLessons],
      score: t.score,
      passed: t.passed
    }
  }

  #names(): Map<string, string> {
    return new Map([...this.#tracked.values()].map((t) => [t.member.learnerId, t.member.displayName]))
  }

  classClosed(): void {
    this.#emit({ type: 'class-closed', at: iso(this.now()) })
  }

  lessonsChanged(gates: Pick<Dashboard, 'lessons' | 'newLessons'>): void {
    this.#emit({ type: 'lessons-changed', at: iso(this.now()), ...gates })
  }

  /** The full dashboard; `anonymous` is the projector's copy, counting learners without naming them. */
  dashboard(anonymous: boolean): Dashboard {
    const now = this.now()
    const cls = this.store.classes.get(this.classId)!
    const rowOf = new Map<string, { score: number | null; passed: boolean | null }>()
    for (const row of this.store.classes.report(this.classId)) {
      rowOf.set(`${row.learnerId}\u0000${row.lessonId}`, row)
    }
    const learners = [...this.#tracked.values()].map((t) => {
      const state = this.#state(t, now)
      const row = rowOf.get(`${t.member.learnerId}\u0000${t.lessonId}`)
      return {
        ...state,
        score: state.score ?? row?.score ?? null,
        passed: state.passed ?? row?.passed ?? null
      }
    })
    const dashboard: Dashboard = {
      classId: cls.id,
      name: cls.name,
      status: cls.status,
      joinCode: cls.joinCode,
      at: iso(now),
      learners,
      stuckCount: learners.filter((l) => l.stuck).length,
      questions: questionStats(this.store.classes.attempts(this.classId), this.#names()),
      lessons: this.store.classes.lessons(this.classId),
      newLessons: cls.newLessons,
      studentId: cls.studentId
    }
    return anonymous ? anonymousDashboard(dashboard) : dashboard
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
    justification: a.justification,
    correct: a.correct,
    attemptNo: a.attemptNo
  }
}

/**
 * Per question: each learner's latest answer grouped (where the room stands now), each learner's
 * first answer grouped (what the room thought before any feedback), and the difficulty figure —
 * the share of the learners who answered it that were right on their first attempt.
 */
export function questionStats(
  attempts: readonly ClassAttempt[],
  names: ReadonlyMap<string, string>
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
    const first = new Map<string, ClassAttempt>()
    const latest = new Map<string, ClassAttempt>()
    for (const a of list) {
      const earliest = first.get(a.learnerId)
      if (!earliest || a.attemptNo < earliest.attemptNo) first.set(a.learnerId, a)
      const newest = latest.get(a.learnerId)
      if (!newest || a.attemptNo > newest.attemptNo) latest.set(a.learnerId, a)
    }
    const firsts = [...first.values()]
    stats.push({
      lessonId: list[0]!.lessonId,
      questionId: list[0]!.questionId,
      kind: list[0]!.kind,
      answered: latest.size,
      firstAttemptCorrect:
        firsts.length === 0 ? null : firsts.filter((a) => a.correct).length / firsts.length,
      answers: grouped([...latest.values()], names),
      firstAnswers: grouped(firsts, names)
    })
  }
  return stats.sort((x, y) => (x.lessonId + x.questionId < y.lessonId + y.questionId ? -1 : 1))
}

/** One answer per learner, grouped by the answer given: the most given first. */
function grouped(
  answers: readonly ClassAttempt[],
  names: ReadonlyMap<string, string>
): QuestionStats['answers'] {
  const groups = new Map<string, { answer: string; correct: boolean; count: number; learners: string[] }>()
  for (const a of answers) {
    const group = groups.get(a.answerJson) ?? {
      answer: a.answerJson,
      correct: a.correct,
      count: 0,
      learners: []
    }
    group.count++
    group.learners.push(names.get(a.learnerId) ?? a.learnerId)
    groups.set(a.answerJson, group)
  }
  return [...groups.values()]
    .sort((x, y) => y.count - x.count || (x.answer < y.answer ? -1 : 1))
    .map((g) => ({ ...g, learners: g.learners.sort() }))
}
