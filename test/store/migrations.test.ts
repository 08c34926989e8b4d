import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openProgressStore, schemaVersion, StoreError } from '../../src-main/store/index.ts'
import { migrations } from '../../src-main/store/migrations.ts'
import { fakeClock, tempDir } from './helpers.ts'

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')

describe('schema migrations', () => {
  it('numbers migrations consecutively from 1', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1))
    expect(schemaVersion).toBe(migrations.length)
  })

  it('builds a new file at the latest version, records each step, and takes no backup', () => {
    const file = join(tempDir(), 'progress.sqlite')
    const clock = fakeClock()
    const { store, migration } = openProgressStore(file, { now: clock.now })
    store.close()
    expect(migration).toEqual({ from: 0, to: schemaVersion, backup: null })
    const db = new Database(file, { readonly: true })
    const applied = db
      .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
      .all()
    expect(applied).toEqual(
      migrations.map((m) => ({ version: m.version, name: m.name, applied_at: clock.now() }))
    )
    db.close()
  })

  it('uses WAL with synchronous NORMAL by default and FULL when asked', () => {
    const dir = tempDir()
    const normal = openProgressStore(join(dir, 'a.sqlite'), { now: Date.now })
    const full = openProgressStore(join(dir, 'b.sqlite'), { now: Date.now, durability: 'full' })
    expect(normal.store.diagnostics()).toEqual({ journalMode: 'wal', synchronous: 'NORMAL', schemaVersion })
    expect(full.store.diagnostics()).toEqual({ journalMode: 'wal', synchronous: 'FULL', schemaVersion })
    normal.store.close()
    full.store.close()
  })

  it('migrates an older file forward, keeps its data, and leaves a backup at the old version', () => {
    const dir = tempDir()
    const file = join(dir, 'progress.sqlite')
    const old = new Database(file)
    old.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)'
    )
    old.exec(migrations[0]!.sql)
    old.prepare('INSERT INTO schema_migrations VALUES (1, ?, 0)').run(migrations[0]!.name)
    old.prepare("INSERT INTO learners VALUES ('l-1', 'Grace', 1, 1)").run()
    old.close()

    const { store, migration } = openProgressStore(file, { now: fakeClock().now })
    expect(migration.from).toBe(1)
    expect(migration.to).toBe(schemaVersion)
    expect(store.profiles.list().map((l) => l.name)).toEqual(['Grace'])
    store.sessions.saveSnapshot({
      learnerId: 'l-1',
      lessonId: 'x',
      snapshot: {},
      contentHash: 'h',
      stepId: 's'
    })
    store.close()

    expect(migration.backup).toMatch(/progress\.sqlite\.pre-migration-v1-20261125T090000000Z\.bak$/)
    const backup = new Database(migration.backup!, { readonly: true })
    expect(backup.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 1 })
    expect(backup.prepare('SELECT name FROM learners').all()).toEqual([{ name: 'Grace' }])
    backup.close()
  })

  it('also opens in memory, for throw-away stores where durability is not the point', () => {
    const { store, migration } = openProgressStore(':memory:', { now: Date.now })
    expect(migration).toEqual({ from: 0, to: schemaVersion, backup: null })
    expect(store.diagnostics().journalMode).toBe('memory')
    store.profiles.create('Guest')
    store.close()
  })

  it('opens a current file without migrating or copying it', () => {
    const file = join(tempDir(), 'progress.sqlite')
    openProgressStore(file, { now: Date.now }).store.close()
    const again = openProgressStore(file, { now: Date.now })
    again.store.close()
    expect(again.migration).toEqual({ from: schemaVersion, to: schemaVersion, backup: null })
  })

  it('refuses a file from a newer schema with a clear message and leaves it byte-for-byte unchanged', () => {
    const dir = tempDir()
    const file = join(dir, 'progress.sqlite')
    const { store } = openProgressStore(file, { now: Date.now })
    store.profiles.create('Future')
    store.close()
    const db = new Database(file)
    db.prepare("INSERT INTO schema_migrations VALUES (?, 'from the future', 0)").run(schemaVersion + 4)
    db.close()
    const before = sha(file)

    let thrown: unknown
    try {
      openProgressStore(file, { now: Date.now })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(StoreError)
    expect((thrown as StoreError).code).toBe('schema-too-new')
    expect((thrown as StoreError).message).toBe(
      `The progress file ${file} was written by a newer version of Podnet Lab (schema version ${schemaVersion + 4}; this version understands up to ${schemaVersion}). Update Podnet Lab to open it; the file was left unchanged.`
    )
    expect(sha(file)).toBe(before)
    expect(existsSync(`${file}-wal`)).toBe(false)
  })
})
