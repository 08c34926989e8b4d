import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { classroomHostForSuite, learnerCall, ok, post, type Joined } from './classroom-host.ts'

describe('a classroom host refuses what it must', () => {
  const h = classroomHostForSuite('podnet-class-security-', {
    joinLimit: { limit: 4, windowMs: 60_000 },
    bodyLimit: 16 * 1024
  })
  let origin: string
  let classId: string
  let joinCode: string
  let ada: Joined
  let lin: Joined

  beforeAll(async () => {
    origin = h.host.origin
    const started = await ok<{ classId: string; joinCode: string }>(
      origin,
      'class:start',
      { name: 'Security' },
      h.instructorToken
    )
    classId = started.classId
    joinCode = started.joinCode
    ada = await ok<Joined>(origin, 'class:join', { code: joinCode, name: 'Ada' })
    lin = await ok<Joined>(origin, 'class:join', { code: joinCode.toLowerCase(), name: 'Lin' })
  })

  test('binds to 127.0.0.1 when no host is given, and still demands a token in classroom mode', async () => {
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(h.instructorToken).toMatch(/^[A-Za-z0-9_-]{32}$/)
    const answer = await post(origin, 'lessons:list', {})
    expect(answer.status).toBe(401)
    expect(answer.body.error?.code).toBe('unauthorized')
  })

  test('instructor methods without a token are 401, with a learner token 403', async () => {
    expect((await post(origin, 'class:dashboard', { classId })).status).toBe(401)
    const asLearner = await post(origin, 'class:dashboard', { classId }, ada.learnerToken)
    expect(asLearner.status).toBe(403)
    expect(asLearner.body.error?.code).toBe('forbidden')
    for (const method of [
      'class:close',
      'class:delete',
      'class:report',
      'pack:import',
      'profiles:list',
      'progress:import'
    ]) {
      const body =
        method === 'pack:import'
          ? { path: '/tmp' }
          : method === 'progress:import'
            ? { content: '{}' }
            : { classId, format: 'csv' }
      expect({ method, status: (await post(origin, method, body, ada.learnerToken)).status }).toEqual({
        method,
        status: 403
      })
    }
  })

  test('a made-up token is 401', async () => {
    expect((await post(origin, 'class:list', {}, 'not-the-token')).status).toBe(401)
    expect(
      (await post(origin, 'lessons:list', {}, 'pnl_forged0000000000000000000000000000000000')).status
    ).toBe(401)
  })

  test('a wrong join code is refused and names the field', async () => {
    const wrong = joinCode === '222222' ? '333333' : '222222'
    const answer = await post(origin, 'class:join', { code: wrong, name: 'Eve' })
    expect(answer.status).toBe(404)
    expect(answer.body.error?.message).toMatch(/^code: no open class has the join code/)
    const malformed = await post(origin, 'class:join', { code: 'O0I1', name: 'Eve' })
    expect(malformed.status).toBe(400)
    expect(malformed.body.error?.message).toMatch(/^code: /)
  })

  test('the same name twice in one class is refused', async () => {
    const again = await post(origin, 'class:join', { code: joinCode, name: 'ada' })
    expect(again.status).toBe(400)
    expect(again.body.error?.message).toMatch(/^name: Someone named "ada" has already joined/)
  })

  test('learner A can use their own progress but cannot read or act as learner B', async () => {
    await learnerCall(origin, ada)('lesson:open', { lessonId: 'tour' })
    const own = await ok<{ lessons: { lessonId: string }[] }>(
      origin,
      'progress:summary',
      { learnerId: ada.learnerId },
      ada.learnerToken
    )
    expect(own.lessons.map((l) => l.lessonId)).toEqual(['tour'])
    for (const [method, body] of [
      ['progress:summary', { learnerId: lin.learnerId }],
      ['progress:export', { learnerId: lin.learnerId, format: 'json' }],
      ['lesson:open', { learnerId: lin.learnerId, lessonId: 'tour' }],
      ['settings:get', { learnerId: lin.learnerId }]
    ] as const) {
      const answer = await post(origin, method, body, ada.learnerToken)
      expect({ method, status: answer.status, code: answer.body.error?.code }).toEqual({
        method,
        status: 403,
        code: 'forbidden'
      })
    }
  })

  test('the join rate limit answers 429 with Retry-After', async () => {
    // Only wrong codes count against this address's 4 a minute: the one above and three more.
    const wrong = joinCode === '222222' ? '333333' : '222222'
    for (const name of ['Xia', 'Yan', 'Zhu']) {
      expect((await post(origin, 'class:join', { code: wrong, name })).status).toBe(404)
    }
    const answer = await post(origin, 'class:join', { code: joinCode, name: 'Zoe' })
    expect(answer.status).toBe(429)
    expect(answer.body.error?.code).toBe('rate_limited')
    const wait = Number(answer.headers.get('retry-after'))
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(60)
  })

  test('an oversized body is 413', async () => {
    const answer = await post(
      origin,
      'shell:exec',
      JSON.stringify({ learnerId: ada.learnerId, lessonId: 'tour', on: 'client', line: 'x'.repeat(20_000) }),
      ada.learnerToken
    )
    expect(answer.status).toBe(413)
    expect(answer.body.error?.code).toBe('payload_too_large')
  })

  test('static paths cannot escape the renderer folder', async () => {
    for (const path of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/..%2f..%2f..%2fpackage.json'
    ]) {
      const response = await fetch(`${origin}${path}`)
      const text = await response.text()
      expect({ path, escaped: text.includes('root:x:0:0') || text.includes('"name": "podnet-lab"') }).toEqual(
        { path, escaped: false }
      )
      expect(response.status).toBeGreaterThanOrEqual(400)
    }
    const index = await fetch(`${origin}/`)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'")
  })

  test('a locked lesson refuses learners until the instructor unlocks it', async () => {
    const gates = await ok<{ lessons: { lessonId: string; state: string }[] }>(
      origin,
      'class:lessons',
      { classId, lessons: [{ lessonId: 'tour', state: 'locked' }] },
      h.instructorToken
    )
    expect(gates.lessons).toContainEqual({ lessonId: 'tour', state: 'locked' })
    const locked = await post(
      origin,
      'lesson:open',
      { learnerId: lin.learnerId, lessonId: 'tour' },
      lin.learnerToken
    )
    expect(locked.status).toBe(403)
    expect(locked.body.error?.code).toBe('lesson_locked')
    // Also for a lesson the learner already has open.
    const send = await post(
      origin,
      'lesson:send',
      { learnerId: ada.learnerId, lessonId: 'tour', event: { type: 'user.next' } },
      ada.learnerToken
    )
    expect(send.body.error?.code).toBe('lesson_locked')
    const rejoined = await ok<Joined>(origin, 'class:rejoin', {}, lin.learnerToken)
    expect(rejoined).toMatchObject({
      learnerId: lin.learnerId,
      learnerToken: lin.learnerToken
    })
    expect(rejoined.lessons).toContainEqual({ lessonId: 'tour', state: 'locked' })
    await ok(
      origin,
      'class:lessons',
      { classId, lessons: [{ lessonId: 'tour', state: 'enabled' }] },
      h.instructorToken
    )
    const opened = await ok<{ id: string }>(
      origin,
      'lesson:open',
      { learnerId: lin.learnerId, lessonId: 'tour' },
      lin.learnerToken
    )
    expect(opened.id).toBe('tour')
    const unknown = await post(
      origin,
      'class:lessons',
      { classId, lessons: [{ lessonId: 'no-such-lesson', state: 'enabled' }] },
      h.instructorToken
    )
    expect(unknown.body.error?.message).toBe('lessons: no lesson with id "no-such-lesson" in the course')
  })

  test('learner tokens are stored only as hashes', () => {
    const file = readFileSync(join(h.dataDir, 'progress.sqlite'))
    const wal = readFileSync(join(h.dataDir, 'progress.sqlite-wal'))
    for (const token of [ada.learnerToken, lin.learnerToken]) {
      expect(file.includes(token)).toBe(false)
      expect(wal.includes(token)).toBe(false)
    }
  })

  test('closing the class revokes every learner token (401), and the instructor keeps access', async () => {
    await ok(origin, 'class:close', { classId }, h.instructorToken)
    for (const joined of [ada, lin]) {
      const answer = await post(
        origin,
        'progress:summary',
        { learnerId: joined.learnerId },
        joined.learnerToken
      )
      expect(answer.status).toBe(401)
      expect((await post(origin, 'class:rejoin', {}, joined.learnerToken)).status).toBe(401)
    }
    const classes = await ok<{ classes: { classId: string; status: string }[] }>(
      origin,
      'class:list',
      {},
      h.instructorToken
    )
    expect(classes.classes.find((c) => c.classId === classId)?.status).toBe('closed')
  })

  test('deleting a class removes its learners and their progress', async () => {
    const deleted = await ok<{ learnersDeleted: number }>(
      origin,
      'class:delete',
      { classId },
      h.instructorToken
    )
    expect(deleted.learnersDeleted).toBe(2)
    const profiles = await ok<{ profiles: unknown[] }>(origin, 'profiles:list', {}, h.instructorToken)
    expect(profiles.profiles).toEqual([])
    expect((await post(origin, 'class:dashboard', { classId }, h.instructorToken)).status).toBe(404)
  })
})
