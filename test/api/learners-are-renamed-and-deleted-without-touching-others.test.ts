import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { call, failure, withService } from './api-call.ts'

interface Profiles {
  profiles: { id: string; name: string }[]
  activeId: string | null
}

const tourRef = (learnerId: string) => ({ learnerId, lessonId: 'tour' })

describe('profiles:rename', () => {
  test('renames a learner and keeps their progress under the new name', async () => {
    await withService(async (service, ada) => {
      await call(service, 'lesson:open', tourRef(ada))
      const renamed = await call<{ id: string; name: string }>(service, 'profiles:rename', {
        learnerId: ada,
        name: '  Ada L. '
      })
      expect(renamed).toMatchObject({ id: ada, name: 'Ada L.' })
      const { profiles } = await call<Profiles>(service, 'profiles:list', {})
      expect(profiles.map((p) => p.name)).toEqual(['Ada L.'])
      const { lessons } = await call<{ lessons: { lessonId: string }[] }>(service, 'progress:summary', {
        learnerId: ada
      })
      expect(lessons.map((l) => l.lessonId)).toEqual(['tour'])
    })
  })

  test('refuses an empty name, a name another learner has, and an unknown learner', async () => {
    await withService(async (service, ada) => {
      await call(service, 'profiles:create', { name: 'Lin' })
      expect(await failure(service, 'profiles:rename', { learnerId: ada, name: '   ' })).toMatchObject({
        code: 'invalid_input',
        message: 'name: a profile needs a name'
      })
      expect(await failure(service, 'profiles:rename', { learnerId: ada, name: 'LIN' })).toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('A profile named "Lin" already exists')
      })
      expect(await failure(service, 'profiles:rename', { learnerId: 'nobody', name: 'X' })).toMatchObject({
        code: 'not_found'
      })
    })
  })
})

describe('profiles:delete', () => {
  test("deletes one learner's profile and progress after the name is confirmed, and nobody else's", async () => {
    await withService(async (service, ada, dataDir) => {
      expect(existsSync(join(dataDir, 'progress.sqlite'))).toBe(true)
      const lin = (await call<{ id: string }>(service, 'profiles:create', { name: 'Lin' })).id
      for (const learnerId of [ada, lin]) {
        await call(service, 'lesson:open', tourRef(learnerId))
        await call(service, 'lesson:send', { ...tourRef(learnerId), event: { type: 'user.next' } })
        await call(service, 'settings:set', { learnerId, settings: { theme: 'dark' } })
      }
      await call(service, 'profiles:select', { learnerId: ada })

      expect(await failure(service, 'profiles:delete', { learnerId: ada, confirm: 'ada' })).toEqual({
        code: 'invalid_input',
        message: 'confirm: type the profile\'s name "Ada" to delete it',
        reason: { id: 'confirm_mismatch', params: { name: 'Ada' } }
      })
      expect((await call<Profiles>(service, 'profiles:list', {})).profiles).toHaveLength(2)

      const answer = await call<{ deleted: { id: string }; activeId: string | null }>(
        service,
        'profiles:delete',
        { learnerId: ada, confirm: 'Ada' }
      )
      expect(answer).toMatchObject({ deleted: { id: ada, name: 'Ada' }, activeId: null })

      const after = await call<Profiles>(service, 'profiles:list', {})
      expect(after.profiles.map((p) => p.name)).toEqual(['Lin'])
      expect(after.activeId).toBeNull()
      expect(await failure(service, 'progress:summary', { learnerId: ada })).toMatchObject({
        code: 'not_found'
      })
      expect(await failure(service, 'lesson:open', tourRef(ada))).toMatchObject({ code: 'not_found' })

      // Lin is untouched: the same lesson at the same step, the same settings.
      const linTour = await call<{ session: { current: string } }>(service, 'lesson:open', tourRef(lin))
      expect(linTour.session.current).toBe('look-around')
      expect((await call<{ theme: string }>(service, 'settings:get', { learnerId: lin })).theme).toBe('dark')
    })
  })

  test('deleting a learner who is not the active one leaves the active one active', async () => {
    await withService(async (service, ada) => {
      const lin = (await call<{ id: string }>(service, 'profiles:create', { name: 'Lin' })).id
      await call(service, 'profiles:select', { learnerId: ada })
      const answer = await call<{ activeId: string | null }>(service, 'profiles:delete', {
        learnerId: lin,
        confirm: 'Lin'
      })
      expect(answer.activeId).toBe(ada)
      expect((await call<Profiles>(service, 'profiles:list', {})).activeId).toBe(ada)
    })
  })

  test('a name can be used again once its learner is deleted', async () => {
    await withService(async (service, ada) => {
      await call(service, 'profiles:delete', { learnerId: ada, confirm: 'Ada' })
      expect(await failure(service, 'profiles:delete', { learnerId: ada, confirm: 'Ada' })).toMatchObject({
        code: 'not_found'
      })
      const again = await call<{ id: string }>(service, 'profiles:create', { name: 'Ada' })
      expect(again.id).not.toBe(ada)
    })
  })
})
