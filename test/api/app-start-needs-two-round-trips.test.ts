import { describe, expect, test } from 'vitest'
import { call, withService } from './api-call.ts'

/**
 * The app's first page waits on a chain of calls; each link is a round trip (an IPC hop or an
 * HTTP request). These answers carry what the next link would otherwise fetch separately.
 */
describe('opening the app on a lesson', () => {
  test('profiles:list carries the active profile’s settings, and none without an active profile', async () => {
    await withService(async (service, ada) => {
      expect(await call(service, 'profiles:list', {})).toMatchObject({ activeId: null, activeSettings: null })

      await call(service, 'profiles:select', { learnerId: ada })
      await call(service, 'settings:set', { learnerId: ada, settings: { locale: 'zh-CN', theme: 'dark' } })
      const listed = await call<{ activeId: string; activeSettings: unknown }>(service, 'profiles:list', {})
      expect(listed.activeId).toBe(ada)
      expect(listed.activeSettings).toEqual(await call(service, 'settings:get', { learnerId: ada }))
      expect(listed.activeSettings).toMatchObject({ locale: 'zh-CN', theme: 'dark' })
    })
  })

  test('lesson:open carries the lab’s topology, the same lab:topology then draws', async () => {
    await withService(async (service, ada) => {
      const ref = { learnerId: ada, lessonId: 'tour' }
      const opened = await call<{ topology: { nodes: unknown[] } }>(service, 'lesson:open', ref)
      expect(opened.topology.nodes.length).toBeGreaterThan(0)
      expect(opened.topology).toEqual(await call(service, 'lab:topology', ref))
    })
  })
})
