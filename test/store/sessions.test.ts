import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openProgressStore } from '../../src-main/store/index.ts'
import { fakeClock, openTempStore, tempDir } from './helpers.ts'

const snapshot = (step: string) => ({
  status: 'active',
  value: { lesson: step },
  context: { answers: { q1: ['a'] } }
})

describe('lesson sessions', () => {
  it('resumes exactly the saved snapshot and step after the store is reopened', () => {
    const file = join(tempDir(), 'progress.sqlite')
    const clock = fakeClock()
    const first = openProgressStore(file, { now: clock.now }).store
    const id = first.profiles.create('Ada').id
    first.sessions.saveSnapshot({
      learnerId: id,
      lessonId: '01-pods',
      snapshot: snapshot('intro'),
      contentHash: 'h1',
      stepId: 'intro',
      activeMsDelta: 4000
    })
    clock.advance(30_000)
    first.sessions.saveSnapshot({
      learnerId: id,
      lessonId: '01-pods',
      snapshot: snapshot('ping'),
      contentHash: 'h1',
      stepId: 'ping',
      activeMsDelta: 25_000
    })
    first.close()

    const store = openProgressStore(file, { now: clock.now }).store
    const t0 = fakeClock().now()
    expect(store.sessions.load(id, '01-pods', 'h1')).toEqual({
      learnerId: id,
      lessonId: '01-pods',
      status: 'in-progress',
      snapshot: snapshot('ping'),
      contentHash: 'h1',
      stepId: 'ping',
      startedAt: t0,
      completedAt: null,
      score: null,
      passed: null,
      timeSpentMs: 29_000,
      updatedAt: t0 + 30_000,
      contentChanged: false
    })
    expect(store.sessions.load(id, '02-bridge')).toBeNull()
    store.close()
  })

  it('flags a snapshot taken against different lesson content', () => {
    const { store } = openTempStore()
    const id = store.profiles.create('Ada').id
    store.sessions.saveSnapshot({
      learnerId: id,
      lessonId: 'l',
      snapshot: {},
      contentHash: 'old',
      stepId: 's2'
    })
    expect(store.sessions.load(id, 'l', 'new')).toMatchObject({ contentChanged: true, stepId: 's2' })
    expect(store.sessions.load(id, 'l')?.contentChanged).toBe(false)
  })

  it('resumes an edited lesson at the saved step, else the latest visited step that still exists', () => {
    const { store, clock } = openTempStore()
    const id = store.profiles.create('Ada').id
    for (const step of ['intro', 'ping', 'arp']) {
      store.events.append({ learnerId: id, lessonId: 'l', stepId: step, kind: 'step.entered' })
      clock.advance(1000)
    }
    store.sessions.saveSnapshot({
      learnerId: id,
      lessonId: 'l',
      snapshot: {},
      contentHash: 'v1',
      stepId: 'arp'
    })
    expect(store.sessions.resumeStepId(id, 'l', ['intro', 'ping', 'arp', 'fdb'])).toBe('arp')
    expect(store.sessions.resumeStepId(id, 'l', ['intro', 'ping', 'neigh'])).toBe('ping')
    expect(store.sessions.resumeStepId(id, 'l', ['welcome', 'end'])).toBe('welcome')
    expect(store.sessions.resumeStepId(id, 'other', ['a'])).toBeNull()
  })

  it('keeps a completion, its first date and the best score when the lesson is replayed and completed again', () => {
    const { store, clock } = openTempStore()
    const id = store.profiles.create('Ada').id
    const start = { learnerId: id, lessonId: 'l', snapshot: {}, contentHash: 'h', stepId: 'a' }
    store.sessions.saveSnapshot(start)
    clock.advance(1000)
    const done = store.sessions.complete({
      learnerId: id,
      lessonId: 'l',
      score: 0.9,
      passed: true,
      activeMsDelta: 1000
    })
    clock.advance(1000)
    store.sessions.saveSnapshot({ ...start, stepId: 'b' })
    const again = store.sessions.complete({ learnerId: id, lessonId: 'l', score: 0.4, passed: false })
    expect(again).toMatchObject({
      status: 'completed',
      completedAt: done.completedAt,
      score: 0.9,
      passed: true,
      stepId: 'b',
      timeSpentMs: 1000
    })
  })

  it('refuses to complete a lesson that was never started, and scores outside 0–1', () => {
    const { store } = openTempStore()
    const id = store.profiles.create('Ada').id
    expect(() => store.sessions.complete({ learnerId: id, lessonId: 'l', score: 1, passed: true })).toThrow(
      expect.objectContaining({ code: 'not-found' }) as Error
    )
    expect(() => store.sessions.complete({ learnerId: id, lessonId: 'l', score: 1.5, passed: true })).toThrow(
      expect.objectContaining({ code: 'invalid' }) as Error
    )
  })

  it('commits several calls in one transaction together, or none of them', () => {
    const { store } = openTempStore()
    const id = store.profiles.create('Ada').id
    expect(() =>
      store.transaction(() => {
        store.sessions.saveSnapshot({
          learnerId: id,
          lessonId: 'l',
          snapshot: {},
          contentHash: 'h',
          stepId: 's'
        })
        store.events.append({ learnerId: id, lessonId: 'l', stepId: 's', kind: 'step.entered' })
        throw new Error('the machine rejected the transition')
      })
    ).toThrow(/^the machine rejected the transition$/)
    expect(store.sessions.list(id)).toEqual([])
    expect(store.events.list(id)).toEqual([])
  })
})

describe('step events and hints', () => {
  it('returns events oldest first with their data, per lesson or for the whole learner', () => {
    const { store, clock } = openTempStore()
    const id = store.profiles.create('Ada').id
    const a = store.events.append({
      learnerId: id,
      lessonId: 'l1',
      stepId: 's1',
      kind: 'sim.commandRan',
      data: { cmd: 'ip route' }
    })
    clock.advance(10)
    const b = store.events.append({ learnerId: id, lessonId: 'l2', stepId: 's1', kind: 'step.entered' })
    expect(store.events.list(id)).toEqual([a, b])
    expect(store.events.list(id, 'l1')).toEqual([{ ...a, data: { cmd: 'ip route' } }])
    expect(b.data).toBeNull()
  })

  it('records hint use per step', () => {
    const { store } = openTempStore()
    const id = store.profiles.create('Ada').id
    store.hints.record({ learnerId: id, lessonId: 'l', stepId: 's', kind: 'static', level: 0 })
    store.hints.record({ learnerId: id, lessonId: 'l', stepId: 's', kind: 'solution', level: 0 })
    expect(store.hints.list(id, 'l').map((h) => h.kind)).toEqual(['static', 'solution'])
  })
})
