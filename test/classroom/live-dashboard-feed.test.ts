import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ClassEvent, Dashboard } from '../../src-main/api/classroom-contract.ts'
import { tempDir } from '../e2e/harness.ts'
import { learnerCall, ok, startClassroomHost, type ClassroomHost, type Joined } from './classroom-host.ts'

/** Reads `text/event-stream` with a bearer header, the way the dashboard does (EventSource cannot send one). */
function openFeed(
  origin: string,
  classId: string,
  token: string
): {
  events: ClassEvent[]
  status: Promise<number>
  next: (match: (e: ClassEvent) => boolean) => Promise<ClassEvent>
  close: () => void
} {
  const events: ClassEvent[] = []
  const waiting: { match: (e: ClassEvent) => boolean; resolve: (e: ClassEvent) => void; from: number }[] = []
  const abort = new AbortController()
  const deliver = (event: ClassEvent): void => {
    events.push(event)
    for (const w of [...waiting]) {
      if (w.match(event)) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve(event)
      }
    }
  }
  const status = fetch(`${origin}/api/class:events?classId=${classId}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal
  }).then((response) => {
    if (response.ok && response.body) {
      void (async () => {
        const decoder = new TextDecoder()
        let buffer = ''
        try {
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
            buffer += decoder.decode(chunk, { stream: true })
            let end: number
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const message = buffer.slice(0, end)
              buffer = buffer.slice(end + 2)
              const data = message.split('\n').find((line) => line.startsWith('data: '))
              if (data) deliver(JSON.parse(data.slice(6)) as ClassEvent)
            }
          }
        } catch {
          // aborted by close()
        }
      })()
    }
    return response.status
  })
  return {
    events,
    status,
    next: (match) =>
      new Promise((resolve, reject) => {
        const seen = events.find(match)
        if (seen) return resolve(seen)
        waiting.push({ match, resolve, from: events.length })
        setTimeout(
          () => reject(new Error(`no matching event; got ${events.map((e) => e.type).join(', ')}`)),
          10_000
        )
      }),
    close: () => abort.abort()
  }
}

describe('the live dashboard', () => {
  const data = tempDir('podnet-class-live-')
  let clock = Date.parse('2026-11-25T09:00:00Z')
  let h: ClassroomHost
  let origin: string
  let classId: string
  let joinCode: string

  beforeAll(async () => {
    h = await startClassroomHost(data.path, { now: () => clock })
    origin = h.host.origin
    ;({ classId, joinCode } = await ok<{ classId: string; joinCode: string }>(
      origin,
      'class:start',
      { name: 'Live' },
      h.instructorToken
    ))
  })

  afterAll(async () => {
    await h.stop()
    data.remove()
  })

  test('a learner token cannot open the feed', async () => {
    const lurker = await ok<Joined>(origin, 'class:join', { code: joinCode, name: 'Lurker' })
    const feed = openFeed(origin, classId, lurker.learnerToken)
    expect(await feed.status).toBe(403)
    feed.close()
  })

  test('pushes joins, steps, attempts, hints and failed task commands as they happen', async () => {
    const feed = openFeed(origin, classId, h.instructorToken)
    expect(await feed.status).toBe(200)
    const snapshot = await feed.next((e) => e.type === 'snapshot')
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
    feed.close()
  })

  test('the snapshot flags a learner stuck by time on the step, and the anonymised view has no names', async () => {
    const feed = openFeed(origin, classId, h.instructorToken)
    await feed.next((e) => e.type === 'snapshot')
    clock += 6 * 60_000
    h.classroom.tick()
    const flagged = await feed.next((e) => e.type === 'learner-state' && e.learner.name === 'Ada')
    expect(flagged.type === 'learner-state' && flagged.learner).toMatchObject({
      stuck: true,
      stuckReasons: ['time'],
      stepId: 'predict-ttl'
    })
    feed.close()

    const dashboard = await ok<Dashboard>(origin, 'class:dashboard', { classId }, h.instructorToken)
    const ada = dashboard.learners.find((l) => l.name === 'Ada')!
    expect(ada).toMatchObject({
      lessonId: 'tour',
      stepId: 'predict-ttl',
      stuck: true,
      failedAttempts: 1,
      hintsUsed: 0,
      timeOnStepMs: 6 * 60_000
    })
    // Ada's and the lurker's last calls were 6 minutes ago.
    expect(ada.online).toBe(false)
    expect(dashboard.stuckCount).toBe(1)
    expect(dashboard.questions.find((q) => q.questionId === 'predict-ttl')).toEqual({
      lessonId: 'tour',
      questionId: 'predict-ttl',
      kind: 'prediction',
      answered: 1,
      firstAttemptCorrect: 0,
      answers: [{ answer: '63', correct: false, count: 1, learners: ['Ada'] }]
    })

    const anonymous = await ok<Dashboard>(
      origin,
      'class:dashboard',
      { classId, anonymous: true },
      h.instructorToken
    )
    expect(anonymous.learners).toEqual([])
    expect(JSON.stringify(anonymous)).not.toContain('Ada')
    expect(anonymous.questions.find((q) => q.questionId === 'predict-ttl')?.answers).toEqual([
      { answer: '63', correct: false, count: 1, learners: [] }
    ])
  })
})
