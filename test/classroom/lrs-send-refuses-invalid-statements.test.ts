import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ApiError } from '../../src-main/api/envelope.ts'
import { sendToLrs } from '../../src-main/classroom/lrs.ts'
import type { XapiStatement } from '../../src-main/store/index.ts'
import {
  classroomHostForSuite,
  learnerCall,
  loadLesson,
  ok,
  playLesson,
  startLoopbackLrs,
  type Joined
} from './classroom-host.ts'

describe('sending a class to an LRS', () => {
  const h = classroomHostForSuite('podnet-lrs-validate-')
  let lrs: Awaited<ReturnType<typeof startLoopbackLrs>>
  let statements: XapiStatement[]
  const target = () => ({ endpoint: lrs.endpoint, username: 'lrs-user', password: 's3cret' })

  beforeAll(async () => {
    lrs = await startLoopbackLrs()
    const origin = h.host.origin
    const { classId, joinCode } = await ok<{ classId: string; joinCode: string }>(
      origin,
      'class:start',
      { name: 'LRS check', lessons: ['tour'] },
      h.instructorToken
    )
    const ada = await ok<Joined>(origin, 'class:join', { code: joinCode, name: 'Ada' })
    await playLesson(learnerCall(origin, ada), loadLesson('tour'))
    const report = await ok<{ content: string }>(
      origin,
      'class:report',
      { classId, format: 'xapi', iriBase: 'https://courses.example.edu/podnet/' },
      h.instructorToken
    )
    statements = JSON.parse(report.content) as XapiStatement[]
  })

  afterAll(async () => {
    lrs.server.close()
  })

  test('refuses a batch holding an invalid statement, naming it and its field, and sends nothing', async () => {
    expect(statements.length).toBeGreaterThan(2)
    const broken = statements.map((s, i) => (i === 2 ? { ...s, verb: { ...s.verb, id: 'answered' } } : s))
    const refused = sendToLrs(target(), broken)
    await expect(refused).rejects.toBeInstanceOf(ApiError)
    await expect(refused).rejects.toThrow(
      `statements[2] (id ${statements[2]!.id}) is not a valid xAPI statement: statement.verb.id: not a valid Internationalized Resource Identifier (IRI); nothing was sent`
    )
    expect(lrs.received).toEqual([])
  })

  test('sends no earlier batch when the invalid statement comes in a later one', async () => {
    // 200 statements go in one request: the bad one at 250 sits in the second.
    const many: XapiStatement[] = Array.from({ length: 260 }, (_, i) => statements[i % statements.length]!)
    many[250] = { ...many[250]!, timestamp: 'yesterday' }
    await expect(sendToLrs(target(), many)).rejects.toThrow(
      /^statements\[250\] \(id [0-9a-f-]{36}\) is not a valid xAPI statement: statement\.timestamp: not a valid .*; nothing was sent$/
    )
    expect(lrs.received).toEqual([])
  })

  test('the same statements, left valid, are all sent', async () => {
    expect(await sendToLrs(target(), statements)).toEqual({ sent: statements.length, status: 200 })
    expect(lrs.received.map((r) => r.body)).toEqual([statements])
  })
})
