import { beforeAll, describe, expect, test } from 'vitest'
import type { ClassEvent, Dashboard } from '../../src-main/api/classroom-contract.ts'
import type { StreamServerMessage } from '../../src-main/api/streams.ts'
import { openStreamSocket } from '../api/stream-socket-client.ts'
import { classroomHostForSuite, learnerCall, ok, type Joined } from './classroom-host.ts'

/**
 * The dashboard feed as the instructor's page reads it: a `class:events` subscription on the
 * page's stream socket. Only the events of that subscription, decoded.
 */
async function openFeed(
  origin: string,
  classId: string,
  token: string,
  anonymous?: boolean
): Promise<{
  first: StreamServerMessage
  next: (match: (e: ClassEvent) => boolean) => Promise<ClassEvent>
  close: () => Promise<unknown>
}> {
  const client = openStreamSocket(origin, token)
  await client.opened
  client.subscribe('feed', 'class:events', anonymous === undefined ? { classId } : { classId, anonymous })
  const first = await client.next((m) => m.id === 'feed', 'a first message on the feed')
  return {
    first,
    next: async (match) =>
      (
        (await client.next(
          (m) => m.id === 'feed' && 'event' in m && match(m.event as ClassEvent),
          'matching event'
        )) as { event: ClassEvent }
      ).event,
    close: () => client.close()
  }
}

describe('the live dashboard', () => {
  const h = classroomHostForSuite('podnet-class-live-', { now: () => clock })
  let clock = Date.parse('2026-11-25T09:00:00Z')
  let origin: string
  let classId: string
  let joinCode: string

  beforeAll(async () => {
    origin = h.host.origin
    ;({ classId, joinCode } = await ok<{ classId: string; joinCode: string }>(
      origin,
      'class:start',
      { name: 'Live' },
      h.instructorToken
    ))
  })

  test('the feed is a stream on the page’s socket; the old server-sent route is gone', async () => {
    const response = await fetch(`${origin}/api/class:events?classId=${classId}`, {
      headers: { authorization: `Bearer ${h.instructorToken}` }
    })
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  })

  test('a learner token cannot subscribe to the feed', async () => {
    const lurker = await ok<Joined>(origin, 'class:join', { code: joinCode, name: 'Lurker' })
    const feed = await openFeed(origin, classId, lurker.learnerToken)
    expect(feed.first).toEqual({
      id: 'feed',
      error: { code: 'forbidden', message: expect.stringMatching(/class:events is for the instructor/) }
    })
    expect(h.classroom.listenerCount(classId)).toBe(0)
    await feed.close()
  })

  test('pushes joins, steps, attempts, hints and failed task commands as they happen', async () => {
    const feed = await openFeed(origin, classId, h.instructorToken)
    const snapshot = (feed.first as { event: ClassEvent }).event
    expect(snapshot.type === 'snapshot' && snapshot.dashboard.learners.map((l) => l.name)).toEqual(['Lurker'])

    const ada = await ok<Joined>(origin, 'class:join', { code: joinCode, name: 'Ada' })
    expect(await feed.next((e) => e.type === 'learner-joined' && e.name === 'Ada')).toMatchObject({
      learnerId: ada.learnerId
    })
    const act = learnerCall(origin, ada)

    await act('lesson:open', { lessonId: 'tour' })
    expect(await feed.next((e) => e.type === 'step-changed' && e.learnerId === ada.learnerId)).toMatchObject({
      lessonId: 'tour',
      stepId: 'welcome',
      completed: false
    })
    await act('lesson:send', { lessonId: 'tour', event: { type: 'user.next' } })
    await feed.next((e) => e.type === 'step-changed' && e.stepId === 'look-around')

    await act('shell:exec', { lessonId: 'tour', on: 'client', line: 'ip link show nosuch0' })
    expect(await feed.next((e) => e.type === 'task-failed')).toMatchObject({
      learnerId: ada.learnerId,
      stepId: 'look-around',
      exitCode: 1
    })
    await act('lesson:send', { lessonId: 'tour', event: { type: 'user.requestHint', level: 'hint' } })
    expect(await feed.next((e) => e.type === 'hint-used')).toMatchObject({
      learnerId: ada.learnerId,
      stepId: 'look-around',
      kind: 'static'
    })

    await act('shell:exec', { lessonId: 'tour', on: 'client', line: 'ip addr' })
    await act('lesson:send', { lessonId: 'tour', event: { type: 'user.next' } })
    await act('lesson:send', { lessonId: 'tour', event: { type: 'user.predict', value: 63 } })
    expect(await feed.next((e) => e.type === 'attempt')).toMatchObject({
      learnerId: ada.learnerId,
      questionId: 'predict-ttl',
      kind: 'prediction',
      answer: '63',
      correct: false,
      attemptNo: 1
    })
    await feed.close()
  })

  test('a learner gone quiet goes offline, a step they finished is never flagged, and the anonymised view has no names', async () => {
    const feed = await openFeed(origin, classId, h.instructorToken)
    await feed.next((e) => e.type === 'snapshot')
    clock += 6 * 60_000
    h.classroom.tick()
    expect(await feed.next((e) => e.type === 'learner-left' && e.name === 'Ada')).toMatchObject({
      name: 'Ada'
    })
    const quiet = await feed.next((e) => e.type === 'learner-state' && e.learner.name === 'Ada')
    expect(quiet.type === 'learner-state' && quiet.learner).toMatchObject({
      online: false,
      stuck: false,
      stepId: 'predict-ttl',
      stepSolved: true
    })
    await feed.close()

    const dashboard = await ok<Dashboard>(origin, 'class:dashboard', { classId }, h.instructorToken)
    const ada = dashboard.learners.find((l) => l.name === 'Ada')!
    expect(ada).toMatchObject({
      lessonId: 'tour',
      stepId: 'predict-ttl',
      stuck: false,
      failedAttempts: 1,
      hintsUsed: 0,
      timingSince: null
    })
    expect(dashboard.stuckCount).toBe(0)
    expect(dashboard.questions.find((q) => q.questionId === 'predict-ttl')).toEqual({
      lessonId: 'tour',
      questionId: 'predict-ttl',
      kind: 'prediction',
      answered: 1,
      firstAttemptCorrect: 0,
      answers: [{ answer: '63', correct: false, count: 1, learners: ['Ada'] }],
      firstAnswers: [{ answer: '63', correct: false, count: 1, learners: ['Ada'] }]
    })

    const anonymous = await ok<Dashboard>(
      origin,
      'class:dashboard',
      { classId, anonymous: true },
      h.instructorToken
    )
    expect(anonymous.learners.map((l) => [l.name, l.seatCode, l.stepId])).toEqual(
      dashboard.learners.map((l) => ['', '', l.stepId])
    )
    expect(JSON.stringify(anonymous)).not.toContain('Ada')
    expect(anonymous.questions.find((q) => q.questionId === 'predict-ttl')?.answers).toEqual([
      { answer: '63', correct: false, count: 1, learners: [] }
    ])
  })

  test('the projector’s feed counts every learner but carries no name, seat code or failed command', async () => {
    const feed = await openFeed(origin, classId, h.instructorToken, true)
    const first = (feed.first as { event: ClassEvent }).event
    const full = await ok<Dashboard>(origin, 'class:dashboard', { classId }, h.instructorToken)
    expect(first.type === 'snapshot' && first.dashboard.learners.map((l) => l.learnerId)).toEqual(
      full.learners.map((l) => l.learnerId)
    )
    const received: ClassEvent[] = [first]
    const bea = await ok<Joined>(origin, 'class:join', { code: joinCode, name: 'Bea' })
    const act = learnerCall(origin, bea)
    received.push(await feed.next((e) => e.type === 'learner-joined' && e.learnerId === bea.learnerId))
    await act('lesson:open', { lessonId: 'tour' })
    await act('lesson:send', { lessonId: 'tour', event: { type: 'user.next' } })
    await act('shell:exec', { lessonId: 'tour', on: 'client', line: 'ip link show secret-typo0' })
    received.push(await feed.next((e) => e.type === 'task-failed' && e.learnerId === bea.learnerId))
    await act('shell:exec', { lessonId: 'tour', on: 'client', line: 'ip addr' })
    await act('lesson:send', { lessonId: 'tour', event: { type: 'user.next' } })
    await act('lesson:send', { lessonId: 'tour', event: { type: 'user.predict', value: 63 } })
    received.push(await feed.next((e) => e.type === 'question-stats'))
    clock += 6 * 60_000
    h.classroom.tick()
    received.push(await feed.next((e) => e.type === 'learner-left' && e.learnerId === bea.learnerId))
    received.push(await feed.next((e) => e.type === 'learner-state' && e.learner.learnerId === bea.learnerId))
    const text = JSON.stringify(received)
    for (const secret of ['Ada', 'Lurker', 'Bea', bea.seatCode, 'secret-typo0'])
      expect(text).not.toContain(secret)
    await feed.close()
  })
})
