import type { StoreContext } from './context.ts'
import type { Learner } from './profiles.ts'
import type { SessionStatus } from './sessions.ts'

/** Lesson id → its topic tags (from `lesson.yaml`); the store does not read lessons itself. */
export type TopicsByLesson = Readonly<Record<string, readonly string[]>>

/** One lesson as the Progress page shows it. */
export interface LessonProgress {
  lessonId: string
  /** `opened` = opened but no step saved yet. Lessons never opened are not listed. */
  status: 'opened' | SessionStatus
  stepId: string | null
  /** Lesson score 0–1 recorded at completion. */
  score: number | null
  passed: boolean | null
  timeSpentMs: number
  startedAt: number | null
  completedAt: number | null
  lastOpenedAt: number | null
  /** The later of the last opening and the last saved step: when the learner was last at it. */
  lastActiveAt: number | null
  /** Mean first-attempt score over the lesson's answered questions, null when none. */
  firstAttemptScore: number | null
  questionsAnswered: number
}

/** Mastery of one topic tag: the mean first-attempt score over every question in its lessons. */
export interface TopicMastery {
  topic: string
  /** 0–1, or null when no question of the topic has been answered. */
  mastery: number | null
  questions: number
}

export interface ProgressSummary {
  lessons: LessonProgress[]
  topics: TopicMastery[]
}

export interface ClassReportLearner extends ProgressSummary {
  learner: Learner
}

interface SessionPart {
  learner_id: string
  lesson_id: string
  status: SessionStatus
  step_id: string
  score: number | null
  passed: number | null
  time_spent_ms: number
  started_at: number
  completed_at: number | null
  updated_at: number
}
interface OpenPart {
  learner_id: string
  lesson_id: string
  last_opened_at: number
}
interface FirstAttemptPart {
  learner_id: string
  lesson_id: string
  questions: number
  score_sum: number
}

const SESSION_COLUMNS =
  'learner_id, lesson_id, status, step_id, score, passed, time_spent_ms, started_at, completed_at, updated_at'
const OPENS = 'SELECT learner_id, lesson_id, max(opened_at) AS last_opened_at FROM lesson_opens'
const FIRST_ATTEMPTS = `SELECT learner_id, lesson_id, count(*) AS questions, sum(score) AS score_sum
  FROM quiz_attempts WHERE attempt_no = 1`

/**
 * Summaries built from three set-based queries (sessions, opens, first attempts) for one learner or
 * for the whole class, so a class report costs the same three scans however many learners there are.
 */
export class SummaryQueries {
  readonly #ctx: StoreContext
  readonly #learnerSessions
  readonly #learnerOpens
  readonly #learnerFirsts
  readonly #allLearners
  readonly #allSessions
  readonly #allOpens
  readonly #allFirsts

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    const db = ctx.db
    this.#learnerSessions = db.prepare<[string], SessionPart>(
      `SELECT ${SESSION_COLUMNS} FROM lesson_sessions WHERE learner_id = ?`
    )
    this.#learnerOpens = db.prepare<[string], OpenPart>(`${OPENS} WHERE learner_id = ? GROUP BY lesson_id`)
    this.#learnerFirsts = db.prepare<[string], FirstAttemptPart>(
      `${FIRST_ATTEMPTS} AND learner_id = ? GROUP BY lesson_id`
    )
    this.#allLearners = db.prepare<[], { id: string; name: string; created_at: number; updated_at: number }>(
      'SELECT * FROM learners ORDER BY name COLLATE NOCASE, id'
    )
    this.#allSessions = db.prepare<[], SessionPart>(`SELECT ${SESSION_COLUMNS} FROM lesson_sessions`)
    this.#allOpens = db.prepare<[], OpenPart>(`${OPENS} GROUP BY learner_id, lesson_id`)
    this.#allFirsts = db.prepare<[], FirstAttemptPart>(`${FIRST_ATTEMPTS} GROUP BY learner_id, lesson_id`)
  }

  progressSummary(learnerId: string, topicsByLesson: TopicsByLesson): ProgressSummary {
    return this.#ctx.read('summarise progress', () =>
      summarise(
        this.#learnerSessions.all(learnerId),
        this.#learnerOpens.all(learnerId),
        this.#learnerFirsts.all(learnerId),
        topicsByLesson
      )
    )
  }

  classReport(topicsByLesson: TopicsByLesson): ClassReportLearner[] {
    return this.#ctx.read('build the class report', () => {
      // One read transaction so the three scans see the same moment even while learners write.
      return this.#ctx.db.transaction(() => {
        const sessions = groupBy(this.#allSessions.all())
        const opens = groupBy(this.#allOpens.all())
        const firsts = groupBy(this.#allFirsts.all())
        return this.#allLearners.all().map((r) => ({
          learner: { id: r.id, name: r.name, createdAt: r.created_at, updatedAt: r.updated_at },
          ...summarise(
            sessions.get(r.id) ?? [],
            opens.get(r.id) ?? [],
            firsts.get(r.id) ?? [],
            topicsByLesson
          )
        }))
      })()
    })
  }
}

function groupBy<T extends { learner_id: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const row of rows) {
    const list = map.get(row.learner_id)
    if (list) list.push(row)
    else map.set(row.learner_id, [row])
  }
  return map
}

function summarise(
  sessions: SessionPart[],
  opens: OpenPart[],
  firsts: FirstAttemptPart[],
  topicsByLesson: TopicsByLesson
): ProgressSummary {
  const lessons = new Map<string, LessonProgress>()
  const lesson = (lessonId: string): LessonProgress => {
    let entry = lessons.get(lessonId)
    if (!entry) {
      entry = {
        lessonId,
        status: 'opened',
        stepId: null,
        score: null,
        passed: null,
        timeSpentMs: 0,
        startedAt: null,
        completedAt: null,
        lastOpenedAt: null,
        lastActiveAt: null,
        firstAttemptScore: null,
        questionsAnswered: 0
      }
      lessons.set(lessonId, entry)
    }
    return entry
  }
  for (const s of sessions) {
    Object.assign(lesson(s.lesson_id), {
      status: s.status,
      stepId: s.step_id,
      score: s.score,
      passed: s.passed === null ? null : s.passed === 1,
      timeSpentMs: s.time_spent_ms,
      startedAt: s.started_at,
      completedAt: s.completed_at,
      lastActiveAt: s.updated_at
    })
  }
  for (const o of opens) {
    const entry = lesson(o.lesson_id)
    entry.lastOpenedAt = o.last_opened_at
    entry.lastActiveAt = Math.max(entry.lastActiveAt ?? 0, o.last_opened_at)
  }
  const topicTotals = new Map<string, { sum: number; n: number }>()
  for (const topics of Object.values(topicsByLesson)) {
    for (const topic of topics) topicTotals.set(topic, { sum: 0, n: 0 })
  }
  for (const f of firsts) {
    const entry = lesson(f.lesson_id)
    entry.firstAttemptScore = f.score_sum / f.questions
    entry.questionsAnswered = f.questions
    for (const topic of topicsByLesson[f.lesson_id] ?? []) {
      const total = topicTotals.get(topic)!
      total.sum += f.score_sum
      total.n += f.questions
    }
  }
  return {
    lessons: [...lessons.values()].sort((a, b) => byCodeUnits(a.lessonId, b.lessonId)),
    topics: [...topicTotals]
      .map(([topic, t]) => ({ topic, mastery: t.n === 0 ? null : t.sum / t.n, questions: t.n }))
      .sort((a, b) => byCodeUnits(a.topic, b.topic))
  }
}

/** Locale-independent order, so reports read the same on every machine. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
