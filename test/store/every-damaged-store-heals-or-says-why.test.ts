import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it, vi } from 'vitest'
import { dispatch } from '../../src-main/api/dispatch.ts'
import { createService, type Service } from '../../src-main/api/service.ts'
import { PROGRESS_APPLICATION_ID } from '../../src-main/store/identity.ts'
import {
  openProgressStore,
  schemaVersion,
  StoreError,
  type RecoveryReason
} from '../../src-main/store/index.ts'
import { migrations } from '../../src-main/store/migrations.ts'
import { repoRoot } from '../e2e/harness.ts'
import { fakeClock, seedLearner, tempDir } from './helpers.ts'

const lessonsDir = join(repoRoot, 'lessons')
const stamp = '20261125T090000000Z'
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')

function storeFile(): string {
  return join(tempDir(), 'progress.sqlite')
}

/** A store of the current version holding one learner with a bit of everything. */
function writeStore(file: string): void {
  const clock = fakeClock()
  const { store } = openProgressStore(file, { now: clock.now })
  seedLearner(store, clock)
  store.close()
}

function withRawDb(file: string, fn: (db: Database.Database) => void): void {
  const db = new Database(file)
  try {
    fn(db)
  } finally {
    db.close()
  }
}

/** Opens the file and expects it set aside for `reason`, byte-for-byte, with a fresh store in its place. */
function expectSetAside(file: string, reason: RecoveryReason): string {
  const original = readFileSync(file)
  const { store, recovered } = openProgressStore(file, { now: fakeClock().now })
  try {
    expect(recovered).toMatchObject({ movedTo: `${file}.damaged-${stamp}`, reason })
    expect(readFileSync(recovered!.movedTo).equals(original)).toBe(true)
    expect(store.integrityCheck()).toEqual(['ok'])
    expect(store.profiles.list()).toEqual([])
    store.profiles.create('Fresh start')
  } finally {
    store.close()
  }
  const again = openProgressStore(file, { now: fakeClock().now })
  expect(again.recovered).toBeNull()
  expect(again.store.profiles.list().map((p) => p.name)).toEqual(['Fresh start'])
  again.store.close()
  return recovered!.detail
}

async function appInfo(service: Service): Promise<{ storeNotice: Record<string, unknown> | null }> {
  const info = await dispatch(service.handlers, 'app:info', {})
  if (!info.ok) throw new Error(info.error.message)
  return info.value as { storeNotice: Record<string, unknown> | null }
}

describe('every damaged store heals or says why', () => {
  it('a 0-byte file is set aside with a notice and a fresh store starts', () => {
    const file = storeFile()
    writeFileSync(file, '')
    expect(expectSetAside(file, 'empty')).toContain('empty')
  })

  it("another program's SQLite database is set aside without our tables added to it", () => {
    const file = storeFile()
    withRawDb(file, (db) => {
      db.exec('CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)')
      db.prepare("INSERT INTO recipes (title) VALUES ('dumplings')").run()
    })
    expect(expectSetAside(file, 'foreign')).toContain('recipes')
    const moved = new Database(`${file}.damaged-${stamp}`, { readonly: true })
    expect(moved.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([
      { name: 'recipes' }
    ])
    moved.close()
  })

  it('a database carrying another application id is set aside even if it has our tables', () => {
    const file = storeFile()
    writeStore(file)
    withRawDb(file, (db) => db.pragma('application_id = 42'))
    expect(expectSetAside(file, 'foreign')).toContain('application_id is 42')
  })

  it('a schema rolled back (the last migration rows removed, its tables kept) is set aside', () => {
    const file = storeFile()
    writeStore(file)
    withRawDb(file, (db) => db.prepare('DELETE FROM schema_migrations WHERE version >= 4').run())
    expect(expectSetAside(file, 'schema-mismatch')).toMatch(/unexpected .*table lesson_journal/)
  })

  it('an emptied schema_migrations is set aside', () => {
    const file = storeFile()
    writeStore(file)
    withRawDb(file, (db) => db.prepare('DELETE FROM schema_migrations').run())
    expect(expectSetAside(file, 'schema-mismatch')).toMatch(/unexpected .*table learners/)
  })

  it('a dropped table is set aside', () => {
    const file = storeFile()
    writeStore(file)
    withRawDb(file, (db) => db.exec('DROP TABLE review_items'))
    expect(expectSetAside(file, 'schema-mismatch')).toMatch(/missing .*table review_items/)
  })

  for (const table of ['learners', 'lesson_sessions']) {
    it(`with ${table} dropped the host still starts, sets the file aside and says so`, async () => {
      const dir = tempDir()
      const file = join(dir, 'progress.sqlite')
      writeStore(file)
      withRawDb(file, (db) => {
        db.pragma('foreign_keys = OFF')
        db.exec(`DROP TABLE ${table}`)
      })
      const service = createService({ dataDir: dir, lessonsDir, version: 'test', now: fakeClock().now })
      try {
        expect((await appInfo(service)).storeNotice).toEqual({
          kind: 'set-aside',
          reason: expect.stringMatching(new RegExp(`missing .*table ${table}\\b`)) as string,
          movedTo: `${file}.damaged-${stamp}`
        })
        expect(await dispatch(service.handlers, 'profiles:create', { name: 'Ada' })).toMatchObject({
          ok: true
        })
      } finally {
        service.close()
      }
    })
  }

  it('one unreadable snapshot row is discarded on its own and the lesson resumes from its journal', async () => {
    const dir = tempDir()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    let service = createService({ dataDir: dir, lessonsDir, version: 'test' })
    const call = async <T>(method: string, input: unknown): Promise<T> => {
      const result = await dispatch(service.handlers, method, input)
      if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`)
      return result.value as T
    }
    try {
      const learner = await call<{ id: string }>('profiles:create', { name: 'Ada' })
      const ref = { learnerId: learner.id, lessonId: 'tour' }
      await call('lesson:open', ref)
      await call('shell:exec', { ...ref, on: 'node-2', line: 'ip link set cni0 down' })
      service.close()
      withRawDb(join(dir, 'progress.sqlite'), (db) =>
        db.prepare('UPDATE lesson_sessions SET snapshot_json = \'{"machine": {oops\' ').run()
      )

      service = createService({ dataDir: dir, lessonsDir, version: 'test' })
      const opened = await call<{ session: { current: string } }>('lesson:open', ref)
      expect(opened.session.current).toBe('welcome')
      const link = await call<{ stdout: string }>('shell:exec', {
        ...ref,
        on: 'node-2',
        line: 'ip link show cni0'
      })
      expect(link.stdout).toMatch(/state DOWN/)
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('snapshot is unreadable and was discarded'))
    } finally {
      service.close()
      warn.mockRestore()
    }
  })

  it('a file from a newer version is left untouched and its notice does not say it was set aside', async () => {
    const dir = tempDir()
    const file = join(dir, 'progress.sqlite')
    writeStore(file)
    withRawDb(file, (db) =>
      db.prepare("INSERT INTO schema_migrations VALUES (?, 'from the future', 0)").run(schemaVersion + 1)
    )
    const before = sha(file)
    const service = createService({ dataDir: dir, lessonsDir, version: 'test' })
    try {
      const notice = (await appInfo(service)).storeNotice
      expect(notice).toMatchObject({ kind: 'newer-version', movedTo: null })
      expect(String(notice!.reason)).toContain('newer version of Podnet Lab')
      expect(String(notice!.reason)).not.toMatch(/set aside|damaged/)
    } finally {
      service.close()
    }
    expect(sha(file)).toBe(before)
    expect(existsSync(`${file}.damaged-${stamp}`)).toBe(false)
    expect(() => openProgressStore(file, { now: Date.now })).toThrow(StoreError)
  })

  it('random bytes are set aside as not a database', () => {
    const file = storeFile()
    writeFileSync(file, randomBytes(64 * 1024))
    expectSetAside(file, 'not-a-database')
  })

  it('a truncated database is set aside as corrupt', () => {
    const file = storeFile()
    writeStore(file)
    truncateSync(file, Math.floor(statSync(file).size / 2))
    expectSetAside(file, 'corrupt')
  })

  it('a text file is set aside as not a database', () => {
    const file = storeFile()
    writeFileSync(file, 'These are my notes about veth pairs.\n'.repeat(200))
    expectSetAside(file, 'not-a-database')
  })

  it('a directory in its place is set aside with its contents', () => {
    const file = storeFile()
    mkdirSync(file)
    writeFileSync(join(file, 'keep-me.txt'), 'mine')
    const { store, recovered } = openProgressStore(file, { now: fakeClock().now })
    store.close()
    expect(recovered).toMatchObject({ movedTo: `${file}.damaged-${stamp}`, reason: 'directory' })
    expect(readFileSync(join(recovered!.movedTo, 'keep-me.txt'), 'utf8')).toBe('mine')
  })

  it("a damaged file's WAL and shared-memory files go along with it", () => {
    const file = storeFile()
    writeFileSync(file, randomBytes(8192))
    const wal = randomBytes(4096)
    writeFileSync(`${file}-wal`, wal)
    writeFileSync(`${file}-shm`, randomBytes(4096))
    const { store, recovered } = openProgressStore(file, { now: fakeClock().now })
    store.close()
    expect(readFileSync(`${recovered!.movedTo}-wal`).equals(wal)).toBe(true)
    expect(existsSync(`${recovered!.movedTo}-shm`)).toBe(true)
  })

  it('a second damaged file in the same instant never overwrites the first one set aside', () => {
    const file = storeFile()
    const clock = fakeClock()
    writeFileSync(file, 'first damage')
    openProgressStore(file, { now: clock.now }).store.close()
    writeFileSync(file, 'second damage, same millisecond')
    const b = openProgressStore(file, { now: clock.now })
    b.store.close()
    expect(b.recovered!.movedTo).toBe(`${file}.damaged-${stamp}-2`)
    expect(readFileSync(`${file}.damaged-${stamp}`, 'utf8')).toBe('first damage')
  })

  it('a healthy store opens as it is and carries our application id', () => {
    const file = storeFile()
    writeStore(file)
    const { store, recovered } = openProgressStore(file, { now: Date.now })
    store.close()
    expect(recovered).toBeNull()
    withRawDb(file, (db) =>
      expect(db.pragma('application_id', { simple: true })).toBe(PROGRESS_APPLICATION_ID)
    )
  })

  it('a store written before files carried our id is adopted, given the id and never set aside', () => {
    const file = storeFile()
    writeStore(file)
    withRawDb(file, (db) => db.pragma('application_id = 0'))
    const { store, recovered } = openProgressStore(file, { now: Date.now })
    expect(recovered).toBeNull()
    expect(store.profiles.list().map((p) => p.name)).toEqual(['Ada'])
    store.close()
    withRawDb(file, (db) =>
      expect(db.pragma('application_id', { simple: true })).toBe(PROGRESS_APPLICATION_ID)
    )
  })

  it('an older store without our id is migrated forward, not set aside', () => {
    const file = storeFile()
    withRawDb(file, (db) => {
      db.exec(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)'
      )
      for (const m of migrations.slice(0, 2)) {
        db.exec(m.sql)
        db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name)
      }
      db.prepare("INSERT INTO learners VALUES ('l-1', 'Grace', 1, 1)").run()
    })
    const { store, recovered, migration } = openProgressStore(file, { now: fakeClock().now })
    expect(recovered).toBeNull()
    expect(migration).toMatchObject({ from: 2, to: schemaVersion })
    expect(store.profiles.list().map((p) => p.name)).toEqual(['Grace'])
    store.close()
  })
})
