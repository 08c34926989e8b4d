import xapiValidation from 'xapi-validation'
import * as XLSX from 'xlsx'
import { beforeAll, describe, expect, test } from 'vitest'
import { maxScoreOf, questionsOf } from '../../src-main/core/lesson/lesson.machine.ts'
import type { ClassStatement } from '../../src-main/classroom/class-xapi.ts'
import { correctAnswer } from '../../src-main/core/lesson/quiz.ts'
import {
  classroomHostForSuite,
  loadLesson,
  ok,
  playLesson,
  post,
  startLoopbackLrs,
  type Call,
  type Joined
} from './classroom-host.ts'

/** The package is CommonJS with `exports.default`; under Node's ESM interop that lands on `.default.default`. */
const validateStatement = ((xapiValidation as unknown as { default?: unknown }).default ??
  xapiValidation) as (statement: unknown) => { path: string[]; constructor: { name: string } }[]

function parseCsv(text: string): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true)
  expect(text.endsWith('\r\n')).toBe(true)
  return text
    .slice(1, -2)
    .split('\r\n')
    .map((line) => line.split(','))
}

/** The class's date as the report writes it: the host's calendar day. */
function localDate(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

describe('the class report', () => {
  const start = Date.parse('2026-11-25T09:00:00Z')
  let clock = start
  const h = classroomHostForSuite('podnet-class-report-', { now: () => clock })
  let origin: string
  let classId: string
  let zoe: Joined
  let wei: Joined
  let formula: Joined
  let zoeCalls = 0

  /** Each learner call moves the clock by 2 s, so the time spent on a lesson is known exactly. */
  const timedCall =
    (joined: Joined, count: () => void): Call =>
    async (method, body) => {
      clock += 2000
      count()
      return ok(origin, method, { learnerId: joined.learnerId, ...body }, joined.learnerToken)
    }

  beforeAll(async () => {
    origin = h.host.origin
    let joinCode: string
    ;({ classId, joinCode } = await ok<{ classId: string; joinCode: string }>(
      origin,
      'class:start',
      { name: '网络课 Report, week 1', lessons: ['tour'] },
      h.instructorToken
    ))
    zoe = await ok<Joined>(origin, 'class:join', { code: joinCode, name: 'Zoë', studentId: ' S-1024 ' })
    wei = await ok<Joined>(origin, 'class:join', { code: joinCode, name: '张伟' })
    formula = await ok<Joined>(origin, 'class:join', { code: joinCode, name: '=cmd|calc' })
    await playLesson(
      timedCall(zoe, () => zoeCalls++),
      loadLesson('tour'),
      (questionId) => (questionId === 'pod-gateway' ? { kind: 'single', option: 'flannel' } : null)
    )
    const weiCall = timedCall(wei, () => undefined)
    await weiCall('lesson:open', { lessonId: 'tour' })
    await weiCall('lesson:send', { lessonId: 'tour', event: { type: 'user.next' } })
    await weiCall('lesson:send', { lessonId: 'tour', event: { type: 'user.requestHint', level: 'hint' } })
    // Twenty minutes away from the keyboard: the report credits at most five of them.
    clock += 20 * 60_000
    await weiCall('lesson:send', { lessonId: 'tour', event: { type: 'user.requestHint', level: 'solution' } })
  })

  test('CSV: Excel reads the names, one row per learner × class lesson in course order with grades', async () => {
    const report = await ok<{ fileName: string; mimeType: string; content: string }>(
      origin,
      'class:report',
      { classId, format: 'csv' },
      h.instructorToken
    )
    expect(report.fileName).toBe('podnet-class-网络课-Report-week-1-2026-11-25.csv')
    expect(report.mimeType).toBe('text/csv')
    // As Excel opens a downloaded file: bytes, the encoding guessed from them (no BOM: the ANSI
    // code page). `raw` keeps each cell's text rather than a date or number guessed from it.
    const book = XLSX.read(Buffer.from(report.content, 'utf8'), { type: 'buffer', raw: true })
    const [header, ...rows] = XLSX.utils.sheet_to_json<string[]>(book.Sheets[book.SheetNames[0]!]!, {
      header: 1,
      raw: false,
      defval: ''
    })
    const records = rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]])))

    const course = await ok<{ lessons: { id: string; available: boolean }[] }>(
      origin,
      'lessons:list',
      {},
      h.instructorToken
    )
    const courseOrder = course.lessons.filter((l) => l.available).map((l) => l.id)
    expect(courseOrder.length).toBeGreaterThan(5)
    for (const learnerId of [formula.learnerId, zoe.learnerId, wei.learnerId]) {
      expect(records.filter((r) => r.learner_id === learnerId).map((r) => r.lesson_id)).toEqual(courseOrder)
    }
    expect([...new Set(records.map((r) => r.learner_name))]).toEqual(["'=cmd|calc", 'Zoë', '张伟'])

    const zoeSummary = await ok<{ lessons: { lessonId: string; score: number }[] }>(
      origin,
      'progress:summary',
      { learnerId: zoe.learnerId },
      h.instructorToken
    )
    const zoeScore = zoeSummary.lessons.find((l) => l.lessonId === 'tour')!.score
    const tour = loadLesson('tour').lesson
    const maxPoints = maxScoreOf(tour)
    expect(zoeScore).toBeGreaterThan(tour.passScore)
    expect(zoeScore).toBeLessThan(1)
    const zoeOpened = start + 2000
    const zoeDone = zoeOpened + (zoeCalls - 1) * 2000
    const weiOpened = zoeDone + 2000
    const tourRow = (learnerId: string): Record<string, string | undefined> =>
      records.find((r) => r.learner_id === learnerId && r.lesson_id === 'tour')!
    const common = {
      class_name: '网络课 Report, week 1',
      class_date: localDate(start),
      lesson_id: 'tour',
      lesson_title: 'A tour of Podnet Lab',
      max_points: String(maxPoints),
      pass_mark_percent: '60'
    }
    expect(tourRow(zoe.learnerId)).toEqual({
      ...common,
      learner_name: 'Zoë',
      student_id: 'S-1024',
      learner_id: zoe.learnerId,
      status: 'completed',
      points: String(Math.round(zoeScore * maxPoints * 100) / 100),
      percent: String(Math.round(zoeScore * 10_000) / 100),
      passed: 'true',
      failed_attempts: '1',
      solutions_viewed: '0',
      hints_used: '0',
      time_spent_s: String((zoeCalls - 1) * 2),
      started_at: new Date(zoeOpened).toISOString(),
      completed_at: new Date(zoeDone).toISOString()
    })
    expect(tourRow(wei.learnerId)).toEqual({
      ...common,
      learner_name: '张伟',
      student_id: '',
      learner_id: wei.learnerId,
      status: 'in-progress',
      points: '',
      percent: '',
      passed: '',
      failed_attempts: '0',
      solutions_viewed: '1',
      hints_used: '1',
      time_spent_s: String(2 + 2 + 5 * 60),
      started_at: new Date(weiOpened).toISOString(),
      completed_at: ''
    })
    expect(tourRow(formula.learnerId)).toEqual({
      ...common,
      learner_name: "'=cmd|calc",
      student_id: '',
      learner_id: formula.learnerId,
      status: 'not-started',
      points: '',
      percent: '',
      passed: '',
      failed_attempts: '0',
      solutions_viewed: '0',
      hints_used: '0',
      time_spent_s: '0',
      started_at: '',
      completed_at: ''
    })
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

  test('xAPI: valid statements, questions as interactions with their key, names in both languages, the class as grouping', async () => {
    const base = 'https://courses.example.edu/podnet/'
    const report = await ok<{ content: string }>(
      origin,
      'class:report',
      { classId, format: 'xapi', iriBase: base },
      h.instructorToken
    )
    const statements = JSON.parse(report.content) as ClassStatement[]
    expect(statements.length).toBeGreaterThan(10)
    for (const statement of statements) {
      expect(validateStatement(statement).map((w) => `${w.path.join('.')}: ${w.constructor.name}`)).toEqual(
        []
      )
      expect(statement.object.id.startsWith(`${base}lessons/`)).toBe(true)
      expect(statement.actor.account.homePage).toBe(base)
      expect(statement.context.contextActivities.grouping).toEqual([
        {
          objectType: 'Activity',
          id: `${base}classes/${classId}`,
          definition: { name: { 'en-US': '网络课 Report, week 1', 'zh-CN': '网络课 Report, week 1' } }
        }
      ])
    }
    expect(new Set(statements.map((s) => s.actor.name))).toEqual(new Set(['Zoë', '张伟']))
    const registrations = new Map(statements.map((s) => [s.actor.account.name, s.context.registration]))
    expect(registrations.size).toBe(2)
    expect(new Set(registrations.values()).size).toBe(2)
    for (const s of statements) expect(s.context.registration).toBe(registrations.get(s.actor.account.name))
    // The student ID is context about the learner: the actor keeps its one identifier.
    for (const s of statements)
      expect(s.context.extensions).toEqual(
        s.actor.account.name === zoe.learnerId ? { [`${base}extensions/student-id`]: 'S-1024' } : undefined
      )

    const zoeStatements = statements.filter((s) => s.actor.account.name === zoe.learnerId)
    const verbs = zoeStatements.map((s) => s.verb.display['en-US'])
    expect(verbs.filter((v) => v === 'completed')).toHaveLength(1)
    expect(verbs.filter((v) => v === 'passed')).toHaveLength(1)
    const passed = zoeStatements.find((s) => s.verb.display['en-US'] === 'passed')!
    expect(passed.object.definition?.name).toEqual({
      'en-US': 'A tour of Podnet Lab',
      'zh-CN': 'Podnet Lab 导览'
    })
    expect(passed.verb.display['zh-CN']).toBe('通过了')

    // Per question kind: the interaction type, the key in the spec's pattern, the answer in its format.
    const answered = (questionId: string): ClassStatement[] =>
      zoeStatements.filter((s) => s.object.id.endsWith(`/questions/${questionId}`))
    const tour = loadLesson('tour').lesson
    const typeOf: Record<string, string> = {
      single: 'choice',
      multiple: 'choice',
      ordering: 'sequencing',
      numeric: 'numeric',
      text: 'fill-in',
      hotspot: 'other'
    }
    const kinds = new Set<string>()
    for (const step of tour.steps) {
      for (const question of questionsOf(step)) {
        kinds.add(question.kind)
        const [first, ...rest] = answered(question.id)
        expect(first, question.id).toBeDefined()
        const last = rest.at(-1) ?? first!
        const definition = first!.object.definition!
        expect(definition.type).toBe('http://adlnet.gov/expapi/activities/cmi.interaction')
        expect(definition.name).toEqual({ 'en-US': question.prompt.en, 'zh-CN': question.prompt['zh-CN'] })
        expect(definition.interactionType, question.id).toBe(typeOf[question.kind])
        const right = correctAnswer(question)
        const expectedPattern =
          right.kind === 'single'
            ? right.option
            : right.kind === 'multiple'
              ? right.options.join('[,]')
              : right.kind === 'ordering'
                ? right.order.join('[,]')
                : right.kind === 'numeric'
                  ? String(right.value)
                  : right.kind === 'text'
                    ? `{case_matters=false}${right.text}`
                    : right.object
        expect(definition.correctResponsesPattern, question.id).toEqual([expectedPattern])
        // The learner's last, right answer is the key itself, in the response format.
        expect(last.result?.response, question.id).toBe(expectedPattern.replace('{case_matters=false}', ''))
        expect(last.result?.success).toBe(true)
        if (question.kind === 'single' || question.kind === 'multiple' || question.kind === 'ordering') {
          const items = question.kind === 'ordering' ? question.items : question.options
          expect(definition.choices).toEqual(
            items.map((o) => ({ id: o.id, description: { 'en-US': o.text.en, 'zh-CN': o.text['zh-CN'] } }))
          )
        }
      }
    }
    expect([...kinds].sort()).toEqual(['hotspot', 'multiple', 'numeric', 'ordering', 'single', 'text'])
    const wrong = answered('pod-gateway')[0]!
    expect(wrong.result).toMatchObject({ response: 'flannel', success: false })

    const predictTtl = answered('predict-ttl')[0]!
    expect(predictTtl.object.definition).toMatchObject({ interactionType: 'numeric' })
    expect(predictTtl.result?.response).toBe(predictTtl.object.definition?.correctResponsesPattern?.[0])
  })

  test('xAPI without an IRI base of the course is refused, naming the missing field', async () => {
    const refused = await post(origin, 'class:report', { classId, format: 'xapi' }, h.instructorToken)
    expect(refused.status).toBe(400)
    expect(refused.body.error?.message).toMatch(/^iriBase: name the IRI base of the course/)
  })

  test('sends the statements to an LRS with Basic credentials and the xAPI version header', async () => {
    const lrs = await startLoopbackLrs()
    try {
      const expected = JSON.parse(
        (
          await ok<{ content: string }>(
            origin,
            'class:report',
            { classId, format: 'xapi', iriBase: 'https://courses.example.edu/podnet/' },
            h.instructorToken
          )
        ).content
      ) as ClassStatement[]
      const sent = await ok<{ sent: number; status: number }>(
        origin,
        'class:sendToLrs',
        {
          classId,
          endpoint: lrs.endpoint,
          username: 'lrs-user',
          password: 's3cret',
          iriBase: 'https://courses.example.edu/podnet/'
        },
        h.instructorToken
      )
      expect(sent).toEqual({ sent: expected.length, status: 200 })
      expect(lrs.received.flatMap((r) => r.body as ClassStatement[])).toEqual(expected)
      expect(lrs.received[0]!.headers['content-type']).toBe('application/json')

      const refused = await post(
        origin,
        'class:sendToLrs',
        {
          classId,
          endpoint: lrs.endpoint,
          username: 'lrs-user',
          password: 'wrong',
          iriBase: 'https://courses.example.edu/podnet/'
        },
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
