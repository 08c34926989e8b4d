import { createHash } from 'node:crypto'
import type { StoreContext } from './context.ts'
import { StoreError } from './errors.ts'

/** ADL's registered verbs (https://registry.tincanapi.com); LRSs group statements by these IRIs. */
const VERBS = {
  attempted: 'http://adlnet.gov/expapi/verbs/attempted',
  answered: 'http://adlnet.gov/expapi/verbs/answered',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  failed: 'http://adlnet.gov/expapi/verbs/failed'
} as const

const LESSON_TYPE = 'http://adlnet.gov/expapi/activities/lesson'
const QUESTION_TYPE = 'http://adlnet.gov/expapi/activities/cmi.interaction'

/** Namespace for statement ids (UUID v5), so re-exporting gives the same ids and an LRS drops repeats. */
const STATEMENT_NAMESPACE = '6c4d0f0e-3b1a-4e55-9b7d-5f2a1c9e8d31'

export interface XapiOptions {
  /**
   * Base IRI for activities and the learner account's home page, e.g. the course's site
   * (`https://course.example.org/podnet/`). Lesson IRIs are `<base>lessons/<id>`, question IRIs
   * `<base>lessons/<id>/questions/<qid>`. The default uses the reserved `.invalid` domain.
   */
  iriBase?: string
}

export interface XapiStatement {
  id: string
  actor: { objectType: 'Agent'; name: string; account: { homePage: string; name: string } }
  verb: { id: string; display: { 'en-US': string } }
  object: {
    objectType: 'Activity'
    id: string
    definition: { type: string; name?: { 'en-US': string } }
  }
  result?: {
    score?: { scaled: number; raw: number; min: number; max: number }
    success?: boolean
    completion?: boolean
    response?: string
    duration?: string
  }
  context?: { contextActivities: { parent: { objectType: 'Activity'; id: string }[] } }
  timestamp: string
}

interface Rows {
  sessions: {
    lesson_id: string
    started_at: number
    completed_at: number | null
    score: number | null
    passed: number | null
    time_spent_ms: number
  }[]
  attempts: {
    id: string
    lesson_id: string
    question_id: string
    attempt_no: number
    answer_json: string
    correct: number
    score: number
    duration_ms: number
    at: number
  }[]
}

/** A learner's progress as xAPI 1.0.3 statements for an LMS's learning record store. */
export class XapiExport {
  readonly #ctx: StoreContext
  readonly #learner
  readonly #sessions
  readonly #attempts

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    this.#learner = ctx.db.prepare<[string], { id: string; name: string }>(
      'SELECT id, name FROM learners WHERE id = ?'
    )
    this.#sessions = ctx.db.prepare<[string], Rows['sessions'][number]>(
      'SELECT * FROM lesson_sessions WHERE learner_id = ? ORDER BY started_at, lesson_id'
    )
    this.#attempts = ctx.db.prepare<[string], Rows['attempts'][number]>(
      'SELECT * FROM quiz_attempts WHERE learner_id = ? ORDER BY at, id'
    )
  }

  /**
   * Per lesson: `attempted` when started, `completed` plus `passed` or `failed` when completed;
   * per attempt: `answered`, with the question as object and the lesson as parent context.
   * Ordered by timestamp.
   */
  export(learnerId: string, options: XapiOptions = {}): XapiStatement[] {
    const base = withSlash(options.iriBase ?? 'https://podnet-lab.invalid/')
    return this.#ctx.read('export xAPI statements', () => {
      const learner = this.#learner.get(learnerId)
      if (!learner) throw new StoreError('not-found', `No profile with id ${learnerId}.`)
      const actor = {
        objectType: 'Agent' as const,
        name: learner.name,
        account: { homePage: base, name: learner.id }
      }
      const lessonIri = (lessonId: string): string => `${base}lessons/${encodeURIComponent(lessonId)}`
      const lesson = (lessonId: string): XapiStatement['object'] => ({
        objectType: 'Activity',
        id: lessonIri(lessonId),
        definition: { type: LESSON_TYPE, name: { 'en-US': lessonId } }
      })
      const statement = (
        key: string,
        verb: keyof typeof VERBS,
        object: XapiStatement['object'],
        at: number,
        extra: Pick<XapiStatement, 'result' | 'context'> = {}
      ): XapiStatement => ({
        id: uuidV5(`${learnerId}/${verb}/${key}`),
        actor,
        verb: { id: VERBS[verb], display: { 'en-US': verb } },
        object,
        ...extra,
        timestamp: new Date(at).toISOString()
      })

      const out: XapiStatement[] = []
      for (const s of this.#sessions.all(learnerId)) {
        out.push(statement(s.lesson_id, 'attempted', lesson(s.lesson_id), s.started_at))
        if (s.completed_at === null) continue
        const duration = isoDuration(s.time_spent_ms)
        out.push(
          statement(s.lesson_id, 'completed', lesson(s.lesson_id), s.completed_at, {
            result: { completion: true, duration }
          })
        )
        const score = s.score ?? 0
        out.push(
          statement(s.lesson_id, s.passed === 1 ? 'passed' : 'failed', lesson(s.lesson_id), s.completed_at, {
            result: {
              score: { scaled: score, raw: score, min: 0, max: 1 },
              success: s.passed === 1,
              completion: true,
              duration
            }
          })
        )
      }
      for (const a of this.#attempts.all(learnerId)) {
        out.push(
          statement(
            a.id,
            'answered',
            {
              objectType: 'Activity',
              id: `${lessonIri(a.lesson_id)}/questions/${encodeURIComponent(a.question_id)}`,
              definition: { type: QUESTION_TYPE }
            },
            a.at,
            {
              result: {
                score: { scaled: a.score, raw: a.score, min: 0, max: 1 },
                success: a.correct === 1,
                response: a.answer_json,
                duration: isoDuration(a.duration_ms)
              },
              context: {
                contextActivities: { parent: [{ objectType: 'Activity', id: lessonIri(a.lesson_id) }] }
              }
            }
          )
        )
      }
      return out.sort((x, y) => (x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : 0))
    })
  }
}

function withSlash(iri: string): string {
  return iri.endsWith('/') ? iri : `${iri}/`
}

/** 3_723_450 ms → `PT1H2M3.45S` (ISO 8601 duration, as xAPI's result.duration wants). */
export function isoDuration(ms: number): string {
  const hours = Math.floor(ms / 3_600_000)
  const minutes = Math.floor((ms % 3_600_000) / 60_000)
  const seconds = (ms % 60_000) / 1000
  const parts = `${hours > 0 ? `${hours}H` : ''}${minutes > 0 ? `${minutes}M` : ''}`
  return `PT${parts}${seconds > 0 || parts === '' ? `${seconds}S` : ''}`
}

/** RFC 4122 name-based UUID (SHA-1, version 5) in the app's own namespace. */
export function uuidV5(name: string): string {
  const namespace = Buffer.from(STATEMENT_NAMESPACE.replaceAll('-', ''), 'hex')
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
