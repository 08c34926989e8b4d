import xapiValidation from 'xapi-validation'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { XapiStatement } from '../../src-main/store/index.ts'
import { tempDir } from '../e2e/harness.ts'
import {
  loadLesson,
  ok,
  playLesson,
  post,
  startClassroomHost,
  startLoopbackLrs,
  type Call,
  type ClassroomHost,
  type Joined
} from './classroom-host.ts'

/** The package is CommonJS with `exports.default`; under Node's ESM interop that lands on `.default.default`. */
const validateStatement = ((xapiValidation as unknown as { default?: unknown }).default ??
  xapiValidation) as (statement: unknown) => { path: string[]; constructor: { name: string } }[]

function parseCsv(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true)
  return text
    .slice(0, -2)
    .split('\r\n')
    .map((line) => line.split(','))
}

describe('the class report', () => {
  const data = tempDir('podnet-class-report-')
  const start = Date.parse('2026-11-25T09:00:00Z')
  let clock = start
  let h: ClassroomHost
  let origin: string
  let classId: string
  let ada: Joined
  let lin: Joined
  let adaCalls = 0

  /** Each learner call moves the clock by 2 s, so the time spent on a lesson is known exactly. */
  const timedCall =
    (joined: Joined, count: () => void): Call =>
    async (method, body) => {
      clock += 2000
      count()
      return ok(origin, method, { learnerId: joined.learnerId, ...body }, joined.learnerToken)
    }

  beforeAll(async () => {
    h = await startClassroomHost(data.path, { now: () => clock })
    origin = h.host.origin
    let joinCode: string
    ;({ classId, joinCode } = await ok<{ classId: string; joinCode: string }>(
      origin,
      'class:start',
      { name: 'Report, week 1', lessons: ['tour'] },
      h.instructorToken
    ))
    ada = await ok<Joined>(origin, 'class:join', { code: joinCode, name: 'Ada' })
    lin = await ok<Joined>(origin, 'class:join', { code: joinCode, name: '=cmd|calc' })
    await playLesson(
      timedCall(ada, () => adaCalls++),
      loadLesson('tour'),
      (questionId) => (questionId === 'pod-gateway' ? { kind: 'single', option: 'flannel' } : null)
    )
    const linCall = timedCall(lin, () => undefined)
    await linCall('lesson:open', { lessonId: 'tour' })
    await linCall('lesson:send', { lessonId: 'tour', event: { type: 'user.next' } })
    await linCall('lesson:send', { lessonId: 'tour', event: { type: 'user.requestHint', level: 'hint' } })
    await linCall('lesson:send', { lessonId: 'tour', event: { type: 'user.requestHint', level: 'hint' } })
  })

  afterAll(async () => {
    await h.stop()
    data.remove()
  })

  test('CSV: one row per learner × class lesson with status, score, time and hints', async () => {
    const report = await ok<{ fileName: string; mimeType: string; content: string }>(
      origin,
      'class:report',
      { classId, format: 'csv' },
      h.instructorToken
    )
    expect(report.fileName).toBe('podnet-class-Report-week-1-2026-11-25.csv')
    expect(report.mimeType).toBe('text/csv')
    const adaSummary = await ok<{ lessons: { lessonId: string; score: number }[] }>(
      origin,
      'progress:summary',
      { learnerId: ada.learnerId },
      h.instructorToken
    )
    const adaScore = adaSummary.lessons.find((l) => l.lessonId === 'tour')!.score
    expect(adaScore).toBeGreaterThan(0.6)
    expect(adaScore).toBeLessThan(1)
    const adaOpened = start + 2000
    const adaDone = adaOpened + (adaCalls - 1) * 2000
    const linOpened = adaDone + 2000
    expect(parseCsv(report.content)).toEqual([
      [
        'learner_name',
        'learner_id',
        'lesson_id',
        'status',
        'score',
        'passed',
        'time_spent_s',
        'hints_used',
        'started_at',
        'completed_at'
      ],
      [
        "'=cmd|calc",
        lin.learnerId,
        'tour',
        'in-progress',
        '',
        '',
        '6',
        '2',
        new Date(linOpened).toISOString(),
        ''
      ],
      [
        'Ada',
        ada.learnerId,
        'tour',
        'completed',
        String(adaScore),
        'true',
        String((adaCalls - 1) * 2),
        '0',
        new Date(adaOpened).toISOString(),
        new Date(adaDone).toISOString()
      ]
    ])
  })

  test('difficulty: the share of learners right on their first attempt, per question', async () => {
    const report = await ok<{ content: string }>(
      origin,
      'class:report',
      { classId, format: 'difficulty' },
      h.instructorToken
    )
    const rows = parseCsv(report.content)
    expect(rows[0]).toEqual([
      'lesson_id',
      'question_id',
      'kind',
      'learners_answered',
      'first_attempt_correct'
    ])
    expect(rows).toContainEqual(['tour', 'pod-gateway', 'quiz', '1', '0.000'])
    expect(rows).toContainEqual(['tour', 'predict-ttl', 'prediction', '1', '1.000'])
  })

  test('xAPI: every statement passes xapi-validation and names the learner as typed in class', async () => {
    const report = await ok<{ content: string }>(
      origin,
      'class:report',
      { classId, format: 'xapi', iriBase: 'https://course.example.org/podnet/' },
      h.instructorToken
    )
    const statements = JSON.parse(report.content) as XapiStatement[]
    expect(statements.length).toBeGreaterThan(10)
    for (const statement of statements) {
      expect(validateStatement(statement).map((w) => `${w.path.join('.')}: ${w.constructor.name}`)).toEqual(
        []
      )
    }
    expect(new Set(statements.map((s) => s.actor.name))).toEqual(new Set(['Ada', '=cmd|calc']))
    const verbs = statements
      .filter((s) => s.actor.account.name === ada.learnerId)
      .map((s) => s.verb.display['en-US'])
    expect(verbs.filter((v) => v === 'completed')).toHaveLength(1)
    expect(verbs.filter((v) => v === 'passed')).toHaveLength(1)
  })

  test('sends the statements to an LRS with Basic credentials and the xAPI version header', async () => {
    const lrs = await startLoopbackLrs()
    try {
      const expected = JSON.parse(
        (
          await ok<{ content: string }>(
            origin,
            'class:report',
            { classId, format: 'xapi' },
            h.instructorToken
          )
        ).content
      ) as XapiStatement[]
      const sent = await ok<{ sent: number; status: number }>(
        origin,
        'class:sendToLrs',
        { classId, endpoint: lrs.endpoint, username: 'lrs-user', password: 's3cret' },
        h.instructorToken
      )
      expect(sent).toEqual({ sent: expected.length, status: 200 })
      expect(lrs.received.flatMap((r) => r.body as XapiStatement[])).toEqual(expected)
      expect(lrs.received[0]!.headers['content-type']).toBe('application/json')

      const refused = await post(
        origin,
        'class:sendToLrs',
        { classId, endpoint: lrs.endpoint, username: 'lrs-user', password: 'wrong' },
        h.instructorToken
      )
      expect(refused.status).toBe(400)
      expect(refused.body.error?.message).toBe(
        `endpoint: the LRS at ${lrs.endpoint}statements answered 401 Unauthorized: bad credentials; 0 statements were sent before`
      )
    } finally {
      lrs.server.close()
    }
  })
})
