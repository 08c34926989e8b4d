import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openProgressStore, schemaVersion } from '../../src-main/store/index.ts'
import { migrations } from '../../src-main/store/migrations.ts'
import { fakeClock, tempDir } from './helpers.ts'

const journalVersion = migrations.find((m) => m.sql.includes('CREATE TABLE lesson_journal'))!.version

const exec = (line: string): { kind: 'exec'; on: string; line: string } => ({
  kind: 'exec',
  on: 'node-1',
  line
})
const trace = { kind: 'trace', spec: { from: 'pod-a', to: '10.96.0.10', proto: 'udp', dport: 53 } }

/** A file as the version before the journal table left it, built by that version's own migrations. */
function oldFile(sessions: { learner: string; lesson: string; snapshotJson: string }[]): string {
  const file = join(tempDir(), 'progress.sqlite')
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)'
  )
  for (const m of migrations.filter((m) => m.version < journalVersion)) {
    db.exec(m.sql)
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name)
  }
  const learners = new Set(sessions.map((s) => s.learner))
  for (const learner of learners) {
    db.prepare('INSERT INTO learners VALUES (?, ?, 1, 1)').run(learner, `name of ${learner}`)
  }
  for (const s of sessions) {
    db.prepare(
      `INSERT INTO lesson_sessions (learner_id, lesson_id, status, content_hash, step_id, started_at,
         time_spent_ms, updated_at, snapshot_json)
       VALUES (?, ?, 'in-progress', 'h', 'step-2', 10, 5000, 20, ?)`
    ).run(s.learner, s.lesson, s.snapshotJson)
  }
  db.close()
  return file
}

function sessionRows(file: string): unknown[] {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare('SELECT * FROM lesson_sessions ORDER BY learner_id, lesson_id').all()
  } finally {
    db.close()
  }
}

describe(`migration ${journalVersion}: lab journals move from the session snapshot into rows`, () => {
  it('is migration 5, after the classes table', () => {
    expect(journalVersion).toBe(5)
    expect(schemaVersion).toBeGreaterThanOrEqual(journalVersion)
  })

  it('moves every session’s journal into rows 0..n-1 and keeps the rest of the snapshot', () => {
    const adaPods = {
      machine: { value: 'step-2', context: { answers: { q1: 'b' } } },
      journal: [exec('ip a'), trace, exec('ip link set cni0 down')],
      stepJournalStart: 2
    }
    const adaBridge = { machine: { value: 'intro' }, journal: [], stepJournalStart: 0 }
    const bobPods = { machine: { value: 'done' }, journal: [exec('tcpdump -i eth0')] }
    const file = oldFile([
      { learner: 'ada', lesson: '01-pods', snapshotJson: JSON.stringify(adaPods) },
      { learner: 'ada', lesson: '02-bridge', snapshotJson: JSON.stringify(adaBridge) },
      { learner: 'bob', lesson: '01-pods', snapshotJson: JSON.stringify(bobPods) }
    ])
    const clock = fakeClock()
    const { store, migration } = openProgressStore(file, { now: clock.now })

    expect(migration).toMatchObject({ from: journalVersion - 1, to: schemaVersion })
    expect(migration.backup).not.toBeNull()
    expect(store.journal.list('ada', '01-pods')).toEqual([
      { position: 0, entry: exec('ip a'), status: 'ok' },
      { position: 1, entry: trace, status: 'ok' },
      { position: 2, entry: exec('ip link set cni0 down'), status: 'ok' }
    ])
    expect(store.journal.list('ada', '02-bridge')).toEqual([])
    expect(store.journal.list('bob', '01-pods')).toEqual([
      { position: 0, entry: exec('tcpdump -i eth0'), status: 'ok' }
    ])
    expect(store.journal.append('ada', '01-pods', exec('next'))).toBe(3)

    const pods = store.sessions.load('ada', '01-pods')!
    expect(pods.snapshot).toEqual({ machine: adaPods.machine, stepJournalStart: 2 })
    // Only the snapshot changed: step, times and status are as they were.
    expect(pods).toMatchObject({
      stepId: 'step-2',
      startedAt: 10,
      timeSpentMs: 5000,
      updatedAt: 20,
      status: 'in-progress'
    })
    expect(store.sessions.load('ada', '02-bridge')!.snapshot).toEqual({
      machine: { value: 'intro' },
      stepJournalStart: 0
    })
    expect(store.sessions.load('bob', '01-pods')!.snapshot).toEqual({ machine: { value: 'done' } })
    store.close()

    // The backup taken before migrating still holds the journals inline.
    const backup = new Database(migration.backup!, { readonly: true })
    const saved = backup
      .prepare("SELECT snapshot_json FROM lesson_sessions WHERE learner_id = 'ada' AND lesson_id = '01-pods'")
      .get() as { snapshot_json: string }
    expect(JSON.parse(saved.snapshot_json)).toEqual(adaPods)
    backup.close()
  })

  it('leaves a snapshot it cannot read, or one without a journal array, exactly as it was', () => {
    const untouched = [
      {
        learner: 'ada',
        lesson: 'truncated',
        snapshotJson: '{"machine":{"value":"step-2"},"journal":[{"kind":"ex'
      },
      { learner: 'ada', lesson: 'not-json', snapshotJson: 'not json at all' },
      { learner: 'ada', lesson: 'no-journal', snapshotJson: '{ "machine": { "value": "intro" } }' },
      { learner: 'ada', lesson: 'journal-not-array', snapshotJson: '{"machine":{},"journal":{"0":"ip a"}}' },
      { learner: 'ada', lesson: 'array', snapshotJson: '[1, 2, 3]' },
      { learner: 'ada', lesson: 'null', snapshotJson: 'null' }
    ]
    const file = oldFile([
      ...untouched,
      {
        learner: 'ada',
        lesson: 'fine',
        snapshotJson: JSON.stringify({ machine: {}, journal: [exec('ip r')] })
      }
    ])
    const before = sessionRows(file) as { lesson_id: string }[]

    const { store } = openProgressStore(file, { now: fakeClock().now })
    for (const { lesson } of untouched) expect(store.journal.length('ada', lesson)).toBe(0)
    expect(store.journal.length('ada', 'fine')).toBe(1)
    store.close()

    const after = sessionRows(file) as { lesson_id: string }[]
    const byLesson = (rows: { lesson_id: string }[], lesson: string): unknown =>
      rows.find((r) => r.lesson_id === lesson)
    for (const { lesson } of untouched) expect(byLesson(after, lesson)).toEqual(byLesson(before, lesson))
    expect(byLesson(after, 'fine')).toMatchObject({ snapshot_json: '{"machine":{}}' })
  })

  it('records the data move with its version, in one step: reopening finds nothing left to migrate', () => {
    const file = oldFile([
      {
        learner: 'ada',
        lesson: '01-pods',
        snapshotJson: JSON.stringify({ machine: {}, journal: [exec('ip a')] })
      }
    ])
    const clock = fakeClock()
    openProgressStore(file, { now: clock.now }).store.close()
    const again = openProgressStore(file, { now: clock.now })
    expect(again.migration).toEqual({ from: schemaVersion, to: schemaVersion, backup: null })
    expect(again.store.journal.length('ada', '01-pods')).toBe(1)
    again.store.close()

    const db = new Database(file, { readonly: true })
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(
      migrations.map((m) => ({ version: m.version }))
    )
    db.close()
  })

  it('moves a 3000-command journal without losing an entry', () => {
    const journal = Array.from({ length: 3000 }, (_, i) => exec(`ping -c1 10.244.${i >> 8}.${i & 255}`))
    const file = oldFile([
      {
        learner: 'ada',
        lesson: '01-pods',
        snapshotJson: JSON.stringify({ machine: {}, journal, stepJournalStart: 2999 })
      }
    ])
    const { store } = openProgressStore(file, { now: fakeClock().now })
    const listed = store.journal.list('ada', '01-pods')
    expect(listed.map((e) => e.entry)).toEqual(journal)
    expect(listed.map((e) => e.position)).toEqual(journal.map((_, i) => i))
    store.close()
  })
})
