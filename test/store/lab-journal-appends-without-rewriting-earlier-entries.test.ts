import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openTempStore } from './helpers.ts'

const command = (i: number): { kind: 'exec'; on: string; line: string } => ({
  kind: 'exec',
  on: 'node-1',
  line: `ip link set veth${i} down`
})

/**
 * A second connection to the same file counts what each commit writes: the WAL's frame count is
 * the number of pages written since the last checkpoint, which TRUNCATE sets back to zero.
 */
function walPages(file: string): { reset: () => void; written: () => number; close: () => void } {
  const probe = new Database(file)
  return {
    reset: () => void probe.pragma('wal_checkpoint(TRUNCATE)'),
    written: () => (probe.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log,
    close: () => probe.close()
  }
}

describe('the lab journal grows by appending', () => {
  it('numbers entries 0, 1, 2… per lesson and lists them in order', () => {
    const { store } = openTempStore()
    const id = store.profiles.create('Ada').id
    expect(store.journal.length(id, '01-pods')).toBe(0)
    expect(store.journal.append(id, '01-pods', command(0))).toBe(0)
    expect(store.journal.append(id, '02-bridge', command(100))).toBe(0)
    expect(store.journal.append(id, '01-pods', { kind: 'trace', spec: { from: 'a', to: 'b' } })).toBe(1)
    expect(store.journal.append(id, '01-pods', command(2), 'stopped')).toBe(2)
    expect(store.journal.length(id, '01-pods')).toBe(3)
    expect(store.journal.list(id, '01-pods')).toEqual([
      { position: 0, entry: command(0), status: 'ok' },
      { position: 1, entry: { kind: 'trace', spec: { from: 'a', to: 'b' } }, status: 'ok' },
      { position: 2, entry: command(2), status: 'stopped' }
    ])
    expect(store.journal.list(id, '02-bridge')).toEqual([{ position: 0, entry: command(100), status: 'ok' }])
    expect(store.journal.list(id, '01-pods').skipped).toEqual([])
  })

  it('keeps the session snapshot the same size and writes the same few pages per command at 3000 commands', () => {
    const { store, file } = openTempStore()
    const id = store.profiles.create('Ada').id
    const wal = walPages(file)
    const db = new Database(file, { readonly: true })
    const snapshotBytes = (): number =>
      (
        db.prepare('SELECT length(snapshot_json) AS n FROM lesson_sessions WHERE learner_id = ?').get(id) as {
          n: number
        }
      ).n
    const pages = (): number => db.pragma('page_count', { simple: true }) as number

    // What lesson-host does per command once the journal is in rows: one append and a snapshot
    // save that holds the machine only.
    const run = (i: number): void => {
      store.journal.append(id, '01-pods', command(i))
      store.sessions.saveSnapshot({
        learnerId: id,
        lessonId: '01-pods',
        snapshot: { machine: { value: 'explore', context: { n: i % 10 } }, stepJournalStart: 0 },
        contentHash: 'h',
        stepId: 'explore'
      })
    }
    const pagesAt: number[] = []
    const snapshotSizes: number[] = []
    let firstHundred = 0
    for (let i = 0; i < 3000; i++) {
      if (i === 0 || i === 2900) wal.reset()
      run(i)
      if (i === 99) firstHundred = wal.written()
      if ((i + 1) % 1000 === 0) {
        pagesAt.push(pages())
        snapshotSizes.push(snapshotBytes())
      }
    }
    const lastHundred = wal.written()

    expect(store.journal.length(id, '01-pods')).toBe(3000)
    expect(new Set(snapshotSizes).size).toBe(1)
    // Each command writes the journal's last leaf and the session's page (now and then a split),
    // no matter how long the journal already is: about two pages, at the 3000th as at the first.
    expect(lastHundred).toBeLessThanOrEqual(firstHundred * 1.25)
    expect(lastHundred).toBeLessThanOrEqual(300)
    // The file grows by the same amount per thousand commands: linearly, not quadratically.
    const [a, b, c] = pagesAt as [number, number, number]
    expect(Math.abs(c - b - (b - a))).toBeLessThanOrEqual(3)

    // The yardstick: one save of the same 3000 entries inside the snapshot (the layout migration 5
    // moved away from) writes many times the pages a command costs (and more with every command).
    wal.reset()
    const journal = store.journal.list(id, '01-pods').map((e) => e.entry)
    store.sessions.saveSnapshot({
      learnerId: id,
      lessonId: '01-pods',
      snapshot: { machine: {}, journal, stepJournalStart: 0 },
      contentHash: 'h',
      stepId: 'explore'
    })
    expect(wal.written()).toBeGreaterThan(10 * (lastHundred / 100))
    db.close()
    wal.close()
  })

  it('never rewrites earlier rows: their bytes and creation times stay as first written', () => {
    const { store, file, clock } = openTempStore()
    const id = store.profiles.create('Ada').id
    for (let i = 0; i < 50; i++) {
      store.journal.append(id, '01-pods', command(i))
      clock.advance(1000)
    }
    const db = new Database(file, { readonly: true })
    const rows = (): unknown[] =>
      db
        .prepare('SELECT position, entry_json, status, created_at FROM lesson_journal ORDER BY position')
        .all()
    const before = rows()
    for (let i = 50; i < 100; i++) store.journal.append(id, '01-pods', command(i))
    expect(rows().slice(0, 50)).toEqual(before)
    expect(before[0]).toEqual({
      position: 0,
      entry_json: JSON.stringify(command(0)),
      status: 'ok',
      created_at: Date.UTC(2026, 10, 25, 9, 0, 0)
    })
    db.close()
  })
})
