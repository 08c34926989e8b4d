import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { StoreError, type ProgressStore } from '../../src-main/store/index.ts'
import { openTempStore, seedLearner } from './helpers.ts'

const exec = (line: string): { kind: 'exec'; on: string; line: string } => ({
  kind: 'exec',
  on: 'node-1',
  line
})

function fill(store: ProgressStore, learnerId: string, lessonId: string, n: number): void {
  for (let i = 0; i < n; i++) store.journal.append(learnerId, lessonId, exec(`cmd ${i}`))
}

function errorOf(fn: () => unknown): StoreError {
  try {
    fn()
  } catch (error) {
    if (error instanceof StoreError) return error
    throw error
  }
  throw new Error('expected a StoreError')
}

describe('lab journal: reset, stopped commands, damaged rows', () => {
  it('truncate keeps the first `keep` entries (a step reset) or none (a lab reset), and appending carries on from there', () => {
    const { store } = openTempStore()
    const id = store.profiles.create('Ada').id
    fill(store, id, '01-pods', 5)
    fill(store, id, '02-bridge', 2)

    store.journal.truncate(id, '01-pods', 3)
    expect(store.journal.list(id, '01-pods').map((e) => e.position)).toEqual([0, 1, 2])
    expect(store.journal.length(id, '01-pods')).toBe(3)
    expect(store.journal.append(id, '01-pods', exec('after step reset'))).toBe(3)

    store.journal.truncate(id, '01-pods', 10)
    expect(store.journal.length(id, '01-pods')).toBe(4)

    store.journal.truncate(id, '01-pods', 0)
    expect(store.journal.list(id, '01-pods')).toEqual([])
    expect(store.journal.append(id, '01-pods', exec('after lab reset'))).toBe(0)
    // Other lessons are not touched.
    expect(store.journal.length(id, '02-bridge')).toBe(2)
  })

  it('markStopped keeps a command that ran over its budget, marked so that replay skips it', () => {
    const { store } = openTempStore()
    const id = store.profiles.create('Ada').id
    fill(store, id, '01-pods', 3)
    store.journal.markStopped(id, '01-pods', 1)
    store.journal.markStopped(id, '01-pods', 1)
    expect(store.journal.list(id, '01-pods').map((e) => [e.position, e.status])).toEqual([
      [0, 'ok'],
      [1, 'stopped'],
      [2, 'ok']
    ])
    expect(store.journal.list(id, '01-pods')[1]!.entry).toEqual(exec('cmd 1'))

    const missing = errorOf(() => store.journal.markStopped(id, '01-pods', 3))
    expect(missing.code).toBe('not-found')
    expect(missing.message).toBe(`Lesson 01-pods of learner ${id} has no lab journal entry at position 3.`)
  })

  it('refuses what it cannot store, with the code and a sentence', () => {
    const { store } = openTempStore()
    const id = store.profiles.create('Ada').id
    expect(errorOf(() => store.journal.append(id, '01-pods', undefined)).code).toBe('invalid')
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(errorOf(() => store.journal.append(id, '01-pods', circular)).code).toBe('invalid')
    expect(errorOf(() => store.journal.append(id, '01-pods', exec('x'), 'done' as 'ok')).code).toBe('invalid')
    expect(errorOf(() => store.journal.truncate(id, '01-pods', -1)).code).toBe('invalid')
    expect(errorOf(() => store.journal.truncate(id, '01-pods', 1.5)).code).toBe('invalid')
    expect(errorOf(() => store.journal.markStopped(id, '01-pods', Number.NaN)).code).toBe('invalid')
    const unknown = errorOf(() => store.journal.append('no-such-learner', '01-pods', exec('x')))
    expect(unknown.code).toBe('not-found')
    expect(unknown.message).toBe('Cannot add to the lab journal: the learner does not exist.')
    expect(store.journal.length(id, '01-pods')).toBe(0)
  })

  it('a row whose JSON cannot be read is left out and reported, and the rest of the lab still loads', () => {
    const { store, file } = openTempStore()
    const id = store.profiles.create('Ada').id
    fill(store, id, '01-pods', 3)
    const db = new Database(file)
    db.prepare('UPDATE lesson_journal SET entry_json = \'{"kind":"ex\' WHERE position = 1').run()
    db.close()

    const listed = store.journal.list(id, '01-pods')
    expect(listed).toEqual([
      { position: 0, entry: exec('cmd 0'), status: 'ok' },
      { position: 2, entry: exec('cmd 2'), status: 'ok' }
    ])
    expect(listed.skipped).toEqual([{ position: 1, status: 'ok', reason: expect.any(String) as string }])
    // Appending still works and does not reuse the damaged row's position.
    expect(store.journal.append(id, '01-pods', exec('cmd 3'))).toBe(3)

    // The damaged row is left out of an export too; the positions around it keep their numbers.
    store.sessions.saveSnapshot({
      learnerId: id,
      lessonId: '01-pods',
      snapshot: { machine: {}, stepJournalStart: 0 },
      contentHash: 'h',
      stepId: 's'
    })
    const text = store.exportProgress(id)
    const exported = JSON.parse(text) as { body: { sessions: { journal: { position: number }[] }[] } }
    expect(exported.body.sessions[0]!.journal.map((e) => e.position)).toEqual([0, 2, 3])
    const other = openTempStore().store
    other.importProgress(text)
    expect(other.journal.list(id, '01-pods').map((e) => e.position)).toEqual([0, 2, 3])
    expect(other.journal.length(id, '01-pods')).toBe(4)
  })

  it('resetProgress removes the learner’s journal rows and leaves other learners’ alone', () => {
    const { store, clock } = openTempStore()
    const ada = seedLearner(store, clock, 'Ada')
    const bob = store.profiles.create('Bob').id
    fill(store, ada, '01-pods', 4)
    fill(store, ada, '02-bridge', 1)
    fill(store, bob, '01-pods', 2)

    const removed = store.resetProgress(ada)
    expect(removed.lesson_journal).toBe(5)
    expect(store.journal.length(ada, '01-pods')).toBe(0)
    expect(store.journal.length(ada, '02-bridge')).toBe(0)
    expect(store.journal.length(bob, '01-pods')).toBe(2)
  })

  it('deleting a profile deletes its journal with it', () => {
    const { store, file } = openTempStore()
    const id = store.profiles.create('Ada').id
    fill(store, id, '01-pods', 3)
    store.profiles.delete(id)
    const db = new Database(file, { readonly: true })
    expect(db.prepare('SELECT count(*) AS n FROM lesson_journal').get()).toEqual({ n: 0 })
    db.close()
  })

  it('a journal write inside store.transaction rolls back with the rest', () => {
    const { store } = openTempStore()
    const id = store.profiles.create('Ada').id
    fill(store, id, '01-pods', 2)
    expect(() =>
      store.transaction(() => {
        store.journal.append(id, '01-pods', exec('lost'))
        store.journal.truncate(id, '01-pods', 0)
        throw new Error('the lab failed')
      })
    ).toThrow('the lab failed')
    expect(store.journal.list(id, '01-pods').map((e) => e.entry)).toEqual([exec('cmd 0'), exec('cmd 1')])
  })
})
