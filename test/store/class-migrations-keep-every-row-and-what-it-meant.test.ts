import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openProgressStore, schemaVersion } from '../../src-main/store/index.ts'
import { migrations } from '../../src-main/store/migrations.ts'
import { dumpTables, fakeClock, tempDir } from './helpers.ts'

const newLessonsVersion = migrations.find((m) => m.sql.includes('ADD COLUMN new_lessons'))!.version
const seatCodeVersion = migrations.find((m) => m.sql.includes('ADD COLUMN seat_code'))!.version

/** The rows of a table in the columns the old file had, so added columns do not hide lost rows. */
function oldColumns(file: string, table: string, columns: string): unknown[] {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare(`SELECT ${columns} FROM ${table} ORDER BY 1, 2`).all()
  } finally {
    db.close()
  }
}

/**
 * A file as the version before left it, with two classes: "all open" (no gate rows, which meant
 * every lesson open) and "allow-list" (one enabled row, which meant every other lesson locked).
 */
function oldFile(): string {
  const file = join(tempDir(), 'progress.sqlite')
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)'
  )
  for (const m of migrations.filter((m) => m.version < newLessonsVersion)) {
    db.exec(m.sql)
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name)
  }
  const insertClass = db.prepare(
    "INSERT INTO classes (id, name, join_code, status, created_at) VALUES (?, ?, ?, 'open', 1)"
  )
  insertClass.run('cls_allopen1', 'All open', 'AAAAAA')
  insertClass.run('cls_allowlst', 'Allow-list', 'BBBBBB')
  db.prepare("INSERT INTO class_lessons VALUES ('cls_allowlst', 'tour', 0, 'enabled')").run()
  for (const [learner, cls, name] of [
    ['ada', 'cls_allopen1', 'Ada'],
    ['lin', 'cls_allowlst', 'Lin'],
    ['bob', 'cls_allowlst', 'Bob']
  ] as const) {
    db.prepare('INSERT INTO learners VALUES (?, ?, 1, 1)').run(learner, `${name} · ${cls}`)
    db.prepare('INSERT INTO class_learners VALUES (?, ?, ?, ?, 2)').run(cls, learner, name, `hash-${learner}`)
    db.prepare(
      `INSERT INTO lesson_sessions (learner_id, lesson_id, status, content_hash, step_id, started_at,
         time_spent_ms, updated_at, snapshot_json)
       VALUES (?, 'tour', 'in-progress', 'h', 'intro', 10, 5000, 20, '{}')`
    ).run(learner)
  }
  db.close()
  return file
}

describe('class migrations keep every row and what it meant', () => {
  it(`migration ${newLessonsVersion}: empty gates stay all open, an allow-list stays one`, () => {
    const file = oldFile()
    const before = dumpTables(file)
    const { store, migration } = openProgressStore(file, { now: fakeClock().now })
    try {
      expect(migration).toMatchObject({ from: newLessonsVersion - 1, to: schemaVersion })
      const after = dumpTables(file)
      for (const table of ['learners', 'class_lessons', 'lesson_sessions']) {
        expect({ table, rows: after[table] }).toEqual({ table, rows: before[table] })
      }
      expect(oldColumns(file, 'classes', 'id, name, join_code, status, created_at, closed_at')).toEqual(
        before['classes']
      )

      expect(store.classes.get('cls_allopen1')?.newLessons).toBe('enabled')
      expect(store.classes.lessonState('cls_allopen1', 'tour')).toBe('enabled')
      expect(store.classes.lessonState('cls_allopen1', 'pod-on-the-wire')).toBe('enabled')

      expect(store.classes.get('cls_allowlst')?.newLessons).toBe('locked')
      expect(store.classes.lessonState('cls_allowlst', 'tour')).toBe('enabled')
      expect(store.classes.lessonState('cls_allowlst', 'pod-on-the-wire')).toBe('locked')

      // Giving every course lesson its own gate keeps those meanings as explicit rows.
      expect(store.classes.syncLessons('cls_allowlst', ['tour', 'pod-on-the-wire'])).toEqual([
        { lessonId: 'tour', state: 'enabled' },
        { lessonId: 'pod-on-the-wire', state: 'locked' }
      ])
      expect(store.classes.syncLessons('cls_allopen1', ['tour', 'pod-on-the-wire'])).toEqual([
        { lessonId: 'tour', state: 'enabled' },
        { lessonId: 'pod-on-the-wire', state: 'enabled' }
      ])
    } finally {
      store.close()
    }
  })

  it(`migration ${seatCodeVersion}: every learner already in a class gets a seat code of their own`, () => {
    const file = oldFile()
    const before = dumpTables(file)
    const { store } = openProgressStore(file, { now: fakeClock().now })
    try {
      expect(
        oldColumns(file, 'class_learners', 'class_id, learner_id, display_name, token_hash, joined_at')
      ).toEqual(before['class_learners'])
      const members = [...store.classes.members('cls_allopen1'), ...store.classes.members('cls_allowlst')]
      expect(members.map((m) => m.displayName)).toEqual(['Ada', 'Bob', 'Lin'])
      for (const member of members) expect(member.seatCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/)
      expect(new Set(members.map((m) => m.seatCode)).size).toBe(3)
      // The seat code takes the learner back to the same profile, with a new token.
      const lin = members.find((m) => m.displayName === 'Lin')!
      expect(
        store.classes.reclaimSeat({ classId: 'cls_allowlst', seatCode: lin.seatCode, tokenHash: 'hash-new' })
      ).toMatchObject({ learnerId: 'lin', displayName: 'Lin' })
      expect(store.classes.byTokenHash('hash-lin')).toBeNull()
      expect(store.classes.byTokenHash('hash-new')?.learnerId).toBe('lin')
    } finally {
      store.close()
    }
    // The upgraded file is one the app recognises as its own: reopening migrates nothing.
    const again = openProgressStore(file, { now: fakeClock().now })
    again.store.close()
    expect(again.migration).toEqual({ from: schemaVersion, to: schemaVersion, backup: null })
    expect(again.recovered).toBeNull()
  })
})
