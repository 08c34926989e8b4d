import type { StoreContext } from './context.ts'
import type { Learner } from './profiles.ts'
import type { SessionStatus } from './sessions.ts'

/** A lesson's topic tags and its questions' own (from `lesson.yaml`); the store does not read lessons itself. */
export interface LessonTopics {
  /** The lesson's tags: what a question without a tag of its own counts towards. */
  topics: readonly string[]
  /** Question id → its tag, for the questions that carry one (a lesson mixing topics tags each). */
  questions?: Readonly<Record<string, string>>
}

/** Lesson id → its topic tags. */
export type TopicsByLesson = Readonly<Record<string, LessonTopics>>

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

/**
 * Mastery of one topic tag: the mean first-attempt score over the questions about it — those
 * tagged with it, and the untagged questions of the lessons tagged with it.
 */
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
/** First attempts summed per lesson, or one question's (`question_id` set) in a lesson that tags its questions. */
interface FirstAttemptPart {
  learner_id: string
  lesson_id: string
  question_id: string | null
  questions: number
  score_sum: number
}

const SESSION_COLUMNS =
  'learner_id, lesson_id, status, step_id, score, passed, time_spent_ms, started_at, completed_at, updated_at'
const OPENS = 'SELECT learner_id, lesson_id, max(opened_at) AS last_opened_at FROM lesson_opens'
/**
 * Lessons without question tags are summed per lesson from the first-attempts index alone; only the
 * lessons that tag questions (@tagged, a JSON array of ids) are read question by question.
 */
const firstAttempts = (learner: string): string => `
  SELECT learner_id, lesson_id, NULL AS question_id, count(*) AS questions, sum(score) AS score_sum
    FROM quiz_attempts
    WHERE attempt_no = 1 AND ${learner} lesson_id NOT IN (SELECT value FROM json_each(@tagged))
    GROUP BY learner_id, lesson_id
  UNION ALL
  SELECT learner_id, lesson_id, question_id, 1 AS questions, score AS score_sum
    FROM quiz_attempts
    WHERE attempt_no = 1 AND ${learner} lesson_id IN (SELECT value FROM json_each(@tagged))`

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
    this.#learnerFirsts = db.prepare<[{ learner: string; tagged: string }], FirstAttemptPart>(
      firstAttempts('learner_id = @learner AND')
    )
    this.#allLearners = db.prepare<[], { id: string; name: string; created_at: number; updated_at: number }>(
      'SELECT * FROM learners ORDER BY name COLLATE NOCASE, id'
    )
    this.#allSessions = db.prepare<[], SessionPart>(`SELECT ${SESSION_COLUMNS} FROM lesson_sessions`)
    this.#allOpens = db.prepare<[], OpenPart>(`${OPENS} GROUP BY learner_id, lesson_id`)
    this.#allFirsts = db.prepare<[{ tagged: string }], FirstAttemptPart>(firstAttempts(''))
  }

  progressSummary(learnerId: string, topicsByLesson: TopicsByLesson): ProgressSummary {
    return this.#ctx.read('summarise progress', () =>
      summarise(
        this.#learnerSessions.all(learnerId),
        this.#learnerOpens.all(learnerId),
        this.#learnerFirsts.all({ learner: learnerId, tagged: taggedLessons(topicsByLesson) }),
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
        const firsts = groupBy(this.#allFirsts.all({ tagged: taggedLessons(topicsByLesson) }))
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
  const topicTotals = new Map<string, Total>()
  for (const { topics } of Object.values(topicsByLesson))
    for (const topic of topics) topicTotals.set(topic, { sum: 0, n: 0 })
  const lessonTotals = new Map<string, Total>()
  for (const f of firsts) {
    addTo(lessonTotals, f.lesson_id, f)
    for (const topic of topicsOf(topicsByLesson, f.lesson_id, f.question_id)) addTo(topicTotals, topic, f)
  }
  for (const [lessonId, t] of lessonTotals) {
    const entry = lesson(lessonId)
    entry.firstAttemptScore = t.sum / t.n
    entry.questionsAnswered = t.n
  }
  return {
    lessons: [...lessons.values()].sort((a, b) => byCodeUnits(a.lessonId, b.lessonId)),
    topics: [...topicTotals]
      .map(([topic, t]) => ({ topic, mastery: t.n === 0 ? null : t.sum / t.n, questions: t.n }))
      .sort((a, b) => byCodeUnits(a.topic, b.topic))
  }
}

interface Total {
  sum: number
  n: number
}

function addTo(totals: Map<string, Total>, key: string, part: FirstAttemptPart): void {
  const total = totals.get(key) ?? { sum: 0, n: 0 }
  total.sum += part.score_sum
  total.n += part.questions
  totals.set(key, total)
}

/** What answers count towards: a question's own topic tag, or else its lesson's tags. */
function topicsOf(
  topicsByLesson: TopicsByLesson,
  lessonId: string,
  questionId: string | null
): readonly string[] {
  const tags = Object.hasOwn(topicsByLesson, lessonId) ? topicsByLesson[lessonId] : undefined
  const own =
    questionId !== null && tags?.questions && Object.hasOwn(tags.questions, questionId)
      ? tags.questions[questionId]
      : undefined
  return own === undefined ? (tags?.topics ?? []) : [own]
}

/** The lessons with at least one tagged question, as the JSON array the first-attempts query takes. */
function taggedLessons(topicsByLesson: TopicsByLesson): string {
  return JSON.stringify(
    Object.entries(topicsByLesson)
      .filter(([, tags]) => Object.keys(tags.questions ?? {}).length > 0)
      .map(([lessonId]) => lessonId)
  )
}

/** Locale-independent order, so reports read the same on every machine. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
