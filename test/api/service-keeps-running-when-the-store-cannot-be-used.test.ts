import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { dispatch } from '../../src-main/api/dispatch.ts'
import { createService } from '../../src-main/api/service.ts'
import { repoRoot, tempDir } from '../e2e/harness.ts'

const lessonsDir = join(repoRoot, 'lessons')

describe('the service and a progress store it cannot use as it is', () => {
  test('a damaged file is set aside and app:info tells the learner where it went', async () => {
    const data = tempDir('podnet-service-corrupt-')
    try {
      writeFileSync(join(data.path, 'progress.sqlite'), 'this is not a database, just text '.repeat(200))
      const service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
      const info = await dispatch(service.handlers, 'app:info', {})
      expect(info).toMatchObject({
        ok: true,
        value: { storeNotice: { movedTo: expect.stringContaining('progress.sqlite') } }
      })
      expect(await dispatch(service.handlers, 'profiles:create', { name: 'Ada' })).toMatchObject({ ok: true })
      service.close()
    } finally {
      data.remove()
    }
  })

  test('a file from a newer app is refused with a clear message, lessons still open, nothing is written', async () => {
    const data = tempDir('podnet-service-newer-')
    try {
      const file = join(data.path, 'progress.sqlite')
      const db = new Database(file)
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)')
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(999, 0)
      db.close()
      const before = readFileSync(file)
      const service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
      const info = await dispatch(service.handlers, 'app:info', {})
      expect(info).toMatchObject({
        ok: true,
        value: { storeNotice: { reason: expect.stringContaining('newer version of Podnet Lab') } }
      })
      expect(await dispatch(service.handlers, 'lessons:list', {})).toMatchObject({ ok: true })
      expect(await dispatch(service.handlers, 'profiles:list', {})).toMatchObject({
        ok: false,
        error: { code: 'store_unavailable', message: expect.stringContaining('schema version 999') }
      })
      service.close()
      expect(readFileSync(file).equals(before)).toBe(true)
    } finally {
      data.remove()
    }
  })

  test('a second profile with the same name is invalid input naming the problem, not an internal error', async () => {
    const data = tempDir('podnet-service-dup-')
    try {
      const service = createService({ dataDir: data.path, lessonsDir, version: 'test' })
      expect(await dispatch(service.handlers, 'profiles:create', { name: 'Ada' })).toMatchObject({ ok: true })
      const again = await dispatch(service.handlers, 'profiles:create', { name: 'Ada' })
      expect(again).toMatchObject({
        ok: false,
        error: { code: 'invalid_input', message: expect.stringContaining('Ada') }
      })
      service.close()
    } finally {
      data.remove()
    }
  })
})
