import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ClassEvent } from '../../src-main/api/classroom-contract.ts'
import { tempDir } from '../e2e/harness.ts'
import {
  endOf,
  eventOf,
  eventually,
  openStreamSocket,
  type StreamClient
} from '../api/stream-socket-client.ts'
import {
  classroomHostForSuite,
  learnerCall,
  ok,
  post,
  startClassroomHost,
  type Joined
} from './classroom-host.ts'

/**
 * The instructor's page holds one WebSocket for all its streams (browsers allow six HTTP/1.1
 * connections per host): the dashboard feed, a second feed, and the page's ordinary calls all
 * work at once, and every subscription stops on the host when it is unsubscribed, when the
 * socket closes, and when the host closes.
 */
/** A page's socket with a dashboard feed per subscription id, each past its snapshot. */
async function pageWithFeeds(
  origin: string,
  token: string,
  feeds: Record<string, string>
): Promise<StreamClient> {
  const page = openStreamSocket(origin, token)
  await page.opened
  for (const [id, classId] of Object.entries(feeds)) page.subscribe(id, 'class:events', { classId })
  for (const id of Object.keys(feeds)) await page.next(eventOf(id, 'snapshot'))
  return page
}

describe('the dashboard feed on the page’s stream socket', () => {
  const h = classroomHostForSuite('podnet-class-streams-')
  let origin: string
  let room1: { classId: string; joinCode: string }
  let room2: { classId: string; joinCode: string }

  beforeAll(async () => {
    origin = h.host.origin
    room1 = await ok(origin, 'class:start', { name: 'Room 1' }, h.instructorToken)
    room2 = await ok(origin, 'class:start', { name: 'Room 2' }, h.instructorToken)
  })

  test('delivers the snapshot first, then a delta after a learner’s call', async () => {
    const page = openStreamSocket(origin, h.instructorToken)
    await page.opened
    page.subscribe('a', 'class:events', { classId: room1.classId })
    const first = await page.next((m) => m.id === 'a')
    expect(first).toMatchObject({ id: 'a', event: { type: 'snapshot', dashboard: { name: 'Room 1' } } })

    const ada = await ok<Joined>(origin, 'class:join', { code: room1.joinCode, name: 'Ada' })
    await learnerCall(origin, ada)('lesson:open', { lessonId: 'tour' })
    const step = await page.next(eventOf('a', 'step-changed'), 'a step-changed event')
    expect(step).toEqual({
      id: 'a',
      event: {
        type: 'step-changed',
        at: expect.any(String),
        learnerId: ada.learnerId,
        lessonId: 'tour',
        stepId: 'welcome',
        completed: false
      }
    })
    const types = page.events('a').map((e) => (e as ClassEvent).type)
    expect(types.slice(0, 3)).toEqual(['snapshot', 'learner-joined', 'step-changed'])
    await page.close()
  })

  test('a second subscription and ordinary calls work on the same page while the feed is open', async () => {
    const page = await pageWithFeeds(origin, h.instructorToken, {
      'room-1': room1.classId,
      'room-2': room2.classId
    })
    expect(h.classroom.listenerCount(room1.classId)).toBe(1)
    expect(h.classroom.listenerCount(room2.classId)).toBe(1)

    // The page's calls go on as POSTs beside the socket.
    const dashboard = await post(origin, 'class:dashboard', { classId: room2.classId }, h.instructorToken)
    expect(dashboard.status).toBe(200)
    const bo = await ok<Joined>(origin, 'class:join', { code: room2.joinCode, name: 'Bo' })
    await learnerCall(origin, bo)('lesson:open', { lessonId: 'tour' })

    // Each subscription hears its own class only.
    await page.next(eventOf('room-2', 'step-changed'))
    expect(page.events('room-1').map((e) => (e as ClassEvent).type)).toEqual(['snapshot'])
    expect(JSON.stringify(page.events('room-1'))).not.toContain('Bo')
    await page.close()
  })

  test('unsubscribing stops the feed on the host and is answered with end', async () => {
    const page = await pageWithFeeds(origin, h.instructorToken, { a: room1.classId, b: room1.classId })
    expect(h.classroom.listenerCount(room1.classId)).toBe(2)

    page.unsubscribe('a')
    await page.next(endOf('a'), 'the end of subscription a')
    expect(h.classroom.listenerCount(room1.classId)).toBe(1)
    // The other subscription on the socket goes on; the id is free again.
    const cy = await ok<Joined>(origin, 'class:join', { code: room1.joinCode, name: 'Cy' })
    await page.next((m) => eventOf('b', 'learner-joined')(m) && JSON.stringify(m).includes(cy.learnerId))
    expect(page.events('a').map((e) => (e as ClassEvent).type)).toEqual(['snapshot'])
    page.subscribe('a', 'class:events', { classId: room1.classId })
    await eventually(() => h.classroom.listenerCount(room1.classId), 2)
    await page.close()
  })

  test('closing the socket stops every subscription it held', async () => {
    const page = await pageWithFeeds(origin, h.instructorToken, { a: room1.classId, b: room2.classId })
    expect(h.classroom.listenerCount(room1.classId)).toBe(1)

    // Dropped without a closing handshake, as a crashed tab or a lost network would.
    page.socket.terminate()
    await eventually(() => h.classroom.listenerCount(room1.classId), 0)
    await eventually(() => h.classroom.listenerCount(room2.classId), 0)
  })
})

describe('a host that closes', () => {
  const data = tempDir('podnet-class-streams-close-')

  afterAll(() => data.remove())

  test('ends its stream sockets and leaves no subscription running', async () => {
    const h = await startClassroomHost(data.path)
    const { classId } = await ok<{ classId: string }>(
      h.host.origin,
      'class:start',
      { name: 'Closing' },
      h.instructorToken
    )
    const page = await pageWithFeeds(h.host.origin, h.instructorToken, { a: classId })
    expect(h.classroom.listenerCount(classId)).toBe(1)

    await h.stop()
    expect(h.classroom.listenerCount(classId)).toBe(0)
    expect(await page.closed).toEqual({ code: 1001, reason: 'the host is closing' })
  })
})
