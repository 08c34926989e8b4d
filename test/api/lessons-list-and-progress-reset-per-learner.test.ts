import { describe, expect, test } from 'vitest'
import { createService, type Service } from '../../src-main/api/service.ts'
import { tempDir } from '../e2e/harness.ts'
import { call, failure, lessonsDir, withService } from './api-call.ts'

interface Listed {
  lessons: { id: string; progress: { status: string; score: number | null } | null }[]
}

async function finishTour(service: Parameters<typeof call>[0], learnerId: string): Promise<void> {
  const ref = { learnerId, lessonId: 'tour' }
  await call(service, 'lesson:open', ref)
  await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
}

describe('lessons:list with a learner', () => {
  test('says per lesson whether this learner has not started, is working on or completed it', async () => {
    await withService(async (service, ada) => {
      const lin = (await call<{ id: string }>(service, 'profiles:create', { name: 'Lin' })).id
      const tourOf = async (learnerId?: string): Promise<Listed['lessons'][number] | undefined> =>
        (
          await call<Listed>(service, 'lessons:list', learnerId === undefined ? {} : { learnerId })
        ).lessons.find((l) => l.id === 'tour')

      expect((await tourOf())?.progress).toBeNull()
      expect((await tourOf(ada))?.progress).toMatchObject({ status: 'not-started', score: null })
      await finishTour(service, ada)
      expect((await tourOf(ada))?.progress).toMatchObject({ status: 'in-progress', score: null })
      expect((await tourOf(lin))?.progress).toMatchObject({ status: 'not-started', score: null })
      expect(await failure(service, 'lessons:list', { learnerId: 'nobody' })).toMatchObject({
        code: 'not_found'
      })
    })
  })
})

/** A service whose clock moves only when told, so "most recently" is never a tie. */
async function withClock(
  work: (service: Service, ada: string, tick: () => void) => Promise<void>
): Promise<void> {
  const data = tempDir('podnet-api-clock-')
  let t = Date.UTC(2026, 0, 5, 9, 0, 0)
  const service = createService({ dataDir: data.path, lessonsDir, version: 'test', now: () => t })
  try {
    const ada = (await call<{ id: string }>(service, 'profiles:create', { name: 'Ada' })).id
    await work(service, ada, () => void (t += 60_000))
  } finally {
    service.close()
    data.remove()
  }
}

interface Row {
  id: string
  summary: { en: string; 'zh-CN': string }
  progress: { status: string; step: { n: number; of: number } | null; lastActiveAt: string | null }
}

describe('lessons:list says where a learner is', () => {
  test('each lesson carries its one-line summary in both languages', async () => {
    await withService(async (service) => {
      const { lessons } = await call<{ lessons: Row[] }>(service, 'lessons:list', {})
      const tour = lessons.find((l) => l.id === 'tour')
      expect(tour?.summary.en).toMatch(/^Meet the two-node cluster/)
      expect(tour?.summary['zh-CN']).toMatch(/^认识双节点集群/)
    })
  })

  test('an unfinished lesson names the step it resumes at out of how many, an unopened one none', async () => {
    await withClock(async (service, ada) => {
      const rowOf = async (id: string): Promise<Row['progress']> =>
        (await call<{ lessons: Row[] }>(service, 'lessons:list', { learnerId: ada })).lessons.find(
          (l) => l.id === id
        )!.progress
      expect(await rowOf('tour')).toEqual({
        status: 'not-started',
        score: null,
        step: null,
        lastActiveAt: null
      })

      await call(service, 'lesson:open', { learnerId: ada, lessonId: 'tour' })
      expect((await rowOf('tour')).step).toMatchObject({ n: 1, of: 9 })
      await finishTour(service, ada)
      expect((await rowOf('tour')).step).toEqual({
        n: 2,
        of: 9,
        title: { en: "Find client's address", 'zh-CN': '查看 client 的地址' }
      })

      const summary = await call<{ lessons: { lessonId: string; step: unknown }[] }>(
        service,
        'progress:summary',
        { learnerId: ada }
      )
      expect(summary.lessons.find((l) => l.lessonId === 'tour')?.step).toMatchObject({ n: 2, of: 9 })
    })
  })

  test('lastActiveAt moves with the lesson the learner opened or worked in last', async () => {
    await withClock(async (service, ada, tick) => {
      const active = async (): Promise<Record<string, string | null>> =>
        Object.fromEntries(
          (await call<{ lessons: Row[] }>(service, 'lessons:list', { learnerId: ada })).lessons.map((l) => [
            l.id,
            l.progress.lastActiveAt
          ])
        )
      await call(service, 'lesson:open', { learnerId: ada, lessonId: 'tour' })
      tick()
      await call(service, 'lesson:open', { learnerId: ada, lessonId: 'pod-on-the-wire' })
      let at = await active()
      expect(at['pod-on-the-wire']! > at['tour']!).toBe(true)
      expect(at['same-node']).toBeNull()

      tick()
      await call(service, 'lesson:send', { learnerId: ada, lessonId: 'tour', event: { type: 'user.next' } })
      at = await active()
      expect(at['tour']! > at['pod-on-the-wire']!).toBe(true)
    })
  })
})

describe('progress:summary', () => {
  test('names each topic as index.yaml does, in the order the course first teaches it', async () => {
    await withService(async (service, ada) => {
      const { topics } = await call<{
        topics: { id: string; title: { en: string; 'zh-CN': string }; mastery: number | null }[]
      }>(service, 'progress:summary', { learnerId: ada })
      expect(topics.slice(0, 3).map((t) => t.id)).toEqual(['tour', 'pods', 'bridge'])
      expect(topics.find((t) => t.id === 'bridge')?.title).toEqual({
        en: 'The Linux bridge (cni0)',
        'zh-CN': 'Linux 网桥（cni0）'
      })
      expect(topics.every((t) => t.mastery === null)).toBe(true)
    })
  })
})

describe('progress:reset', () => {
  test('forgets one learner’s progress after the name is confirmed, and nobody else’s', async () => {
    await withService(async (service, ada) => {
      const lin = (await call<{ id: string }>(service, 'profiles:create', { name: 'Lin' })).id
      await finishTour(service, ada)
      await finishTour(service, lin)
      await call(service, 'settings:set', { learnerId: ada, settings: { theme: 'high-contrast' } })

      expect(await failure(service, 'progress:reset', { learnerId: ada, confirm: 'ada' })).toEqual({
        code: 'invalid_input',
        message: 'confirm: type the profile\'s name "Ada" to reset its progress',
        reason: { id: 'confirm_mismatch', params: { name: 'Ada' } }
      })
      const status = async (learnerId: string): Promise<string | undefined> =>
        (await call<Listed>(service, 'lessons:list', { learnerId })).lessons.find((l) => l.id === 'tour')
          ?.progress?.status
      expect(await status(ada)).toBe('in-progress')

      const { removed } = await call<{ removed: Record<string, number> }>(service, 'progress:reset', {
        learnerId: ada,
        confirm: 'Ada'
      })
      expect(removed['lesson_sessions']).toBe(1)
      expect(removed['lesson_opens']).toBe(1)
      expect(await status(ada)).toBe('not-started')
      expect(await status(lin)).toBe('in-progress')
      // The profile and its settings are who the learner is, not progress.
      expect((await call<{ theme: string }>(service, 'settings:get', { learnerId: ada })).theme).toBe(
        'high-contrast'
      )
      const { profiles } = await call<{ profiles: { name: string }[] }>(service, 'profiles:list', {})
      expect(profiles.map((p) => p.name).sort()).toEqual(['Ada', 'Lin'])

      // A lesson open before the reset starts over instead of writing its old state back.
      const reopened = await call<{ session: { current: string } }>(service, 'lesson:open', {
        learnerId: ada,
        lessonId: 'tour'
      })
      expect(reopened.session.current).toBe('welcome')
      const linAgain = await call<{ session: { current: string } }>(service, 'lesson:open', {
        learnerId: lin,
        lessonId: 'tour'
      })
      expect(linAgain.session.current).toBe('look-around')
    })
  })
})
