import xapiValidation from 'xapi-validation'
import { describe, expect, it } from 'vitest'
import { isoDuration } from '../../src-main/store/xapi.ts'
import { openTempStore, seedLearner } from './helpers.ts'

/** The package is CommonJS with `exports.default`; under Node's ESM interop that lands on `.default.default`. */
const validateStatement = ((xapiValidation as unknown as { default?: unknown }).default ??
  xapiValidation) as (statement: unknown) => { path: string[]; constructor: { name: string } }[]

/** A strict RFC 4180 reader (quoted fields, doubled quotes, CRLF records) to read the export back. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let i = 0
  while (i < text.length) {
    if (text[i] === '"' && field === '') {
      i++
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"'
          i += 2
        } else if (text[i] === '"') {
          i++
          break
        } else if (i >= text.length) throw new Error('unterminated quoted field')
        else field += text[i++]
      }
    } else if (text[i] === ',') {
      record.push(field)
      field = ''
      i++
    } else if (text.startsWith('\r\n', i)) {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i += 2
    } else if (text[i] === '"' || text[i] === '\n' || text[i] === '\r') {
      throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`)
    } else field += text[i++]
  }
  if (field !== '' || record.length > 0) throw new Error('last record lacks CRLF')
  return records
}

describe('attempts as CSV', () => {
  it('writes RFC 4180: header, CRLF records, quoted commas, quotes and line breaks', () => {
    const { store, clock } = openTempStore()
    const id = seedLearner(store, clock, 'O\'Neil, "Ada"')
    store.attempts.record({
      learnerId: id,
      lessonId: '02-bridge',
      stepId: 'free',
      questionId: 'q-why',
      kind: 'quiz',
      answer: 'the "bridge",\r\nthen veth',
      correct: false,
      score: 0,
      hintsUsed: 0,
      durationMs: 900
    })
    const csv = store.exportAttemptsCsv(id)
    expect(
      csv.startsWith(
        'learner_id,learner_name,lesson_id,step_id,question_id,kind,attempt,answer,correct,score,hints_used,duration_ms,answered_at\r\n'
      )
    ).toBe(true)
    const [header, ...rows] = parseCsv(csv)
    expect(rows).toHaveLength(3)
    expect(rows.every((r) => r.length === header!.length)).toBe(true)
    expect(rows[0]).toEqual([
      id,
      'O\'Neil, "Ada"',
      '01-pods',
      'quiz-1',
      'q-veth',
      'quiz',
      '1',
      '["b"]',
      'false',
      '0',
      '1',
      '4200',
      '2026-11-25T09:00:02.000Z'
    ])
    expect(JSON.parse(rows[2]![7]!)).toBe('the "bridge",\r\nthen veth')
    expect(csv).toContain('"O\'Neil, ""Ada"""')
  })

  it('exports the whole class, and defuses profile names a spreadsheet would run as formulas', () => {
    const { store, clock } = openTempStore()
    seedLearner(store, clock, 'Ada')
    seedLearner(store, clock, '=HYPERLINK("http://x","y")')
    const rows = parseCsv(store.exportAttemptsCsv()).slice(1)
    expect(rows.map((r) => r[1])).toEqual([
      '\'=HYPERLINK("http://x","y")',
      '\'=HYPERLINK("http://x","y")',
      'Ada',
      'Ada'
    ])
  })
})

describe('xAPI statements', () => {
  it('produce statements every one of which xapi-validation accepts', () => {
    const { store, clock } = openTempStore()
    const id = seedLearner(store, clock, 'Ada')
    store.sessions.saveSnapshot({
      learnerId: id,
      lessonId: '02-bridge',
      snapshot: {},
      contentHash: 'h',
      stepId: 's'
    })
    store.sessions.complete({ learnerId: id, lessonId: '02-bridge', score: 0.2, passed: false })
    const statements = store.exportXapi(id, { iriBase: 'https://course.example.org/podnet' })
    expect(statements.map((s) => s.verb.id.replace('http://adlnet.gov/expapi/verbs/', '')).sort()).toEqual([
      'answered',
      'answered',
      'attempted',
      'attempted',
      'completed',
      'completed',
      'failed',
      'passed'
    ])
    for (const statement of statements) {
      expect(validateStatement(statement).map((w) => `${w.path.join('.')}: ${w.constructor.name}`)).toEqual(
        []
      )
    }
    const answered = statements.find((s) => s.verb.id.endsWith('/answered'))!
    expect(answered).toMatchObject({
      actor: {
        objectType: 'Agent',
        name: 'Ada',
        account: { homePage: 'https://course.example.org/podnet/', name: id }
      },
      object: { id: 'https://course.example.org/podnet/lessons/01-pods/questions/q-veth' },
      result: {
        success: false,
        score: { scaled: 0, raw: 0, min: 0, max: 1 },
        response: '["b"]',
        duration: 'PT4.2S'
      },
      context: {
        contextActivities: { parent: [{ id: 'https://course.example.org/podnet/lessons/01-pods' }] }
      },
      timestamp: '2026-11-25T09:00:02.000Z'
    })
    const passed = statements.find((s) => s.verb.id.endsWith('/passed'))!
    expect(passed.result).toEqual({
      score: { scaled: 0.75, raw: 0.75, min: 0, max: 1 },
      success: true,
      completion: true,
      duration: 'PT3S'
    })
  })

  it('the validator does catch a broken statement (so the check above means something)', () => {
    const { store, clock } = openTempStore()
    const [statement] = store.exportXapi(seedLearner(store, clock))
    const broken = { ...statement, verb: { id: 'attempted' }, timestamp: 'yesterday' }
    expect(
      validateStatement(broken)
        .map((w) => w.path.join('.'))
        .sort()
    ).toEqual(['statement.timestamp', 'statement.verb.id'])
  })

  it('gives the same statement ids on every export, so an LRS can drop repeats', () => {
    const { store, clock } = openTempStore()
    const id = seedLearner(store, clock)
    const ids = store.exportXapi(id).map((s) => s.id)
    expect(store.exportXapi(id).map((s) => s.id)).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    expect(
      ids.every((x) => /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(x))
    ).toBe(true)
  })

  it('writes durations in ISO 8601', () => {
    expect([0, 4200, 60_000, 3_723_450, 90_061_001].map(isoDuration)).toEqual([
      'PT0S',
      'PT4.2S',
      'PT1M',
      'PT1H2M3.45S',
      'PT25H1M1.001S'
    ])
  })
})
