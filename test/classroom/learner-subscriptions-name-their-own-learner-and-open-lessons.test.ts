import { beforeAll, describe, expect, test, vi } from 'vitest'
import { z } from 'zod'
import { classIdSchema } from '../../src-main/api/classroom-contract.ts'
import type * as Streams from '../../src-main/api/streams.ts'
import { errorOf, eventOf, openStreamSocket } from '../api/stream-socket-client.ts'
import { classroomHostForSuite, ok, type Joined } from './classroom-host.ts'

// No stream is open to learners yet (`lab:capture` will be): the dashboard feed stands in for
// one here, opened to learners, to hold the Gateway's learner rules for subscriptions.
vi.mock('../../src-main/api/streams.ts', async (importOriginal) => {
  const original = await importOriginal<typeof Streams>()
  const learnerStream = {
    ...original.streamContract['class:events'],
    input: z.object({ classId: classIdSchema }),
    subscribers: 'learner' as const
  }
  return {
    ...original,
    streamContract: { ...original.streamContract, 'class:events': learnerStream },
    subscribersOf: () => 'learner' as const
  }
})

/**
 * A learner token subscribes by the rules of the learner-scoped methods: its own `learnerId`,
 * named in the input, and only lessons open in its class. The instructor may subscribe too.
 */
describe('a stream open to learners', () => {
  const h = classroomHostForSuite('podnet-learner-streams-')
  let room: { classId: string; joinCode: string }
  let ada: Joined
  let bo: Joined
  let lockedLesson: string

  beforeAll(async () => {
    const lessons = await ok<{ lessons: { id: string; available: boolean }[] }>(
      h.host.origin,
      'lessons:list',
      {},
      h.instructorToken
    )
    const [first, second] = lessons.lessons.filter((l) => l.available)
    lockedLesson = second!.id
    room = await ok(h.host.origin, 'class:start', { name: 'Room', lessons: [first!.id] }, h.instructorToken)
    ada = await ok<Joined>(h.host.origin, 'class:join', { code: room.joinCode, name: 'Ada' })
    bo = await ok<Joined>(h.host.origin, 'class:join', { code: room.joinCode, name: 'Bo' })
  })

  test('a learner subscribes with their own learnerId, and with nobody else’s', async () => {
    const page = openStreamSocket(h.host.origin, ada.learnerToken)
    await page.opened
    page.subscribe('own', 'class:events', { classId: room.classId, learnerId: ada.learnerId })
    await page.next(eventOf('own', 'snapshot'))

    page.subscribe('none', 'class:events', { classId: room.classId })
    expect(await page.next(errorOf('none'))).toEqual({
      id: 'none',
      error: {
        code: 'forbidden',
        message: 'learnerId: a learner token subscribes to class:events with its own learnerId'
      }
    })
    page.subscribe('other', 'class:events', { classId: room.classId, learnerId: bo.learnerId })
    expect(await page.next(errorOf('other'))).toMatchObject({
      error: { code: 'forbidden', message: expect.stringMatching(/^learnerId: a learner token may only/) }
    })
    page.subscribe('locked', 'class:events', {
      classId: room.classId,
      learnerId: ada.learnerId,
      lessonId: lockedLesson
    })
    expect(await page.next(errorOf('locked'))).toMatchObject({ error: { code: 'lesson_locked' } })
    expect(h.classroom.listenerCount(room.classId)).toBe(1)
    await page.close()
  })

  test('the instructor may subscribe too', async () => {
    const page = openStreamSocket(h.host.origin, h.instructorToken)
    await page.opened
    page.subscribe('a', 'class:events', { classId: room.classId })
    await page.next(eventOf('a', 'snapshot'))
    await page.close()
  })
})
