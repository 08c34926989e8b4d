import { describe, expect, test } from 'vitest'
import { call, failure, withService } from './api-call.ts'

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
      expect((await tourOf(ada))?.progress).toEqual({ status: 'not-started', score: null })
      await finishTour(service, ada)
      expect((await tourOf(ada))?.progress).toEqual({ status: 'in-progress', score: null })
      expect((await tourOf(lin))?.progress).toEqual({ status: 'not-started', score: null })
      expect(await failure(service, 'lessons:list', { learnerId: 'nobody' })).toMatchObject({
        code: 'not_found'
      })
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
        message: 'confirm: type the profile\'s name "Ada" to reset its progress'
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
