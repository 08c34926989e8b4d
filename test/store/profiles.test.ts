import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openProgressStore, StoreError } from '../../src-main/store/index.ts'
import { fakeClock, openTempStore, seedLearner, tempDir } from './helpers.ts'

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (error) {
    return error instanceof StoreError ? error.code : `not a StoreError: ${String(error)}`
  }
  return undefined
}

describe('learner profiles', () => {
  it('creates, lists by name, renames and deletes profiles', () => {
    const { store, clock } = openTempStore()
    const zoe = store.profiles.create('  Zoë ')
    const ada = store.profiles.create('ada')
    expect(zoe.name).toBe('Zoë')
    expect(store.profiles.list().map((p) => p.name)).toEqual(['ada', 'Zoë'])
    clock.advance(5000)
    const renamed = store.profiles.rename(ada.id, 'Ada L.')
    expect(renamed).toEqual({
      id: ada.id,
      name: 'Ada L.',
      createdAt: ada.createdAt,
      updatedAt: ada.createdAt + 5000
    })
    store.profiles.delete(zoe.id)
    expect(store.profiles.list().map((p) => p.id)).toEqual([ada.id])
    expect(store.profiles.get(zoe.id)).toBeNull()
  })

  it('refuses two profiles whose names differ only in case, on create and on rename', () => {
    const { store } = openTempStore()
    const ada = store.profiles.create('Ada')
    const bob = store.profiles.create('Bob')
    expect(codeOf(() => store.profiles.create('ADA'))).toBe('conflict')
    expect(codeOf(() => store.profiles.rename(bob.id, 'ada'))).toBe('conflict')
    expect(store.profiles.rename(ada.id, 'ADA').name).toBe('ADA')
  })

  it('rejects empty or overlong names and unknown ids', () => {
    const { store } = openTempStore()
    expect(codeOf(() => store.profiles.create('   '))).toBe('invalid')
    expect(codeOf(() => store.profiles.create('x'.repeat(65)))).toBe('invalid')
    expect(codeOf(() => store.profiles.rename('nope', 'Name'))).toBe('not-found')
    expect(codeOf(() => store.profiles.delete('nope'))).toBe('not-found')
  })

  it("keeps each profile's progress apart, and deleting one removes only its own data", () => {
    const { store, clock } = openTempStore()
    const ada = seedLearner(store, clock, 'Ada')
    const bob = seedLearner(store, clock, 'Bob')
    store.settings.set('locale', 'en', bob)
    expect(store.settings.get('locale', ada)).toBe('zh-CN')
    expect(store.events.list(bob).every((e) => e.learnerId === bob)).toBe(true)

    store.profiles.delete(ada)
    expect(store.sessions.list(ada)).toEqual([])
    expect(store.attempts.list(ada)).toEqual([])
    expect(store.review.list(ada)).toEqual([])
    expect(store.lessonOpens.list(ada)).toEqual([])
    expect(store.settings.get('locale', ada)).toBeUndefined()
    expect(store.sessions.list(bob)).toHaveLength(1)
    expect(store.attempts.list(bob)).toHaveLength(2)
    expect(store.settings.get('locale', bob)).toBe('en')
  })

  it('refuses progress for a learner that does not exist', () => {
    const { store } = openTempStore()
    expect(
      codeOf(() => store.events.append({ learnerId: 'ghost', lessonId: 'l', stepId: 's', kind: 'k' }))
    ).toBe('not-found')
  })

  it('lists opened lessons, most recent first, after a restart', () => {
    const file = join(tempDir(), 'progress.sqlite')
    const clock = fakeClock()
    const first = openProgressStore(file, { now: clock.now }).store
    const id = first.profiles.create('Ada').id
    first.lessonOpens.record(id, '01-pods')
    clock.advance(60_000)
    first.lessonOpens.record(id, '02-bridge')
    clock.advance(60_000)
    first.lessonOpens.record(id, '01-pods')
    first.close()

    const again = openProgressStore(file, { now: clock.now }).store
    const t0 = fakeClock().now()
    expect(again.lessonOpens.list(id)).toEqual([
      { lessonId: '01-pods', firstOpenedAt: t0, lastOpenedAt: t0 + 120_000, timesOpened: 2 },
      { lessonId: '02-bridge', firstOpenedAt: t0 + 60_000, lastOpenedAt: t0 + 60_000, timesOpened: 1 }
    ])
    again.close()
  })
})

describe('settings', () => {
  it("overlays a learner's own values on the global ones", () => {
    const { store } = openTempStore()
    const ada = store.profiles.create('Ada').id
    store.settings.set('theme', 'dark')
    store.settings.set('fontScale', 1.25)
    store.settings.set('theme', 'light', ada)
    expect(store.settings.get('theme')).toBe('dark')
    expect(store.settings.get('theme', ada)).toBe('light')
    expect(store.settings.get('fontScale', ada)).toBe(1.25)
    expect(store.settings.all(ada)).toEqual({ theme: 'light', fontScale: 1.25 })
    store.settings.remove('theme', ada)
    expect(store.settings.get('theme', ada)).toBe('dark')
    store.settings.remove('theme')
    expect(store.settings.get('theme', ada)).toBeUndefined()
  })

  it('stores structured JSON values and refuses values JSON cannot hold', () => {
    const { store } = openTempStore()
    store.settings.set('window', { width: 1280, height: 800, maximized: false })
    expect(store.settings.get('window')).toEqual({ width: 1280, height: 800, maximized: false })
    expect(codeOf(() => store.settings.set('bad', undefined))).toBe('invalid')
  })
})
