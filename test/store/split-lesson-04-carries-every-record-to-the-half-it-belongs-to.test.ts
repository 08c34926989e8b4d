import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import { loadCourse } from '../../src-main/core/lesson/course-loader.ts'
import { type LessonContext, scoreOf } from '../../src-main/core/lesson/lesson.machine.ts'
import type { Lesson } from '../../src-main/core/lesson/lesson.schema.ts'
import { openProgressStore } from '../../src-main/store/index.ts'
import { dumpTables, fakeClock } from './helpers.ts'
import { FIRST, SECOND, fileBeforeTheSplit, split } from './lesson-04-before-the-split.ts'

const course = loadCourse(lessonFilesFromDir(join(import.meta.dirname, '../../lessons')))
function lesson(id: string): Lesson {
  const entry = course.lessons.find((e) => e.status === 'available' && e.lesson.lesson.id === id)
  if (entry?.status !== 'available') throw new Error(`no lesson ${id}`)
  return entry.lesson.lesson
}

describe('splitting lesson 04 carries every record to the half it belongs to', () => {
  it('gives each half its own steps, answers, review items, time, lab and class gate', () => {
    const file = fileBeforeTheSplit()
    const before = dumpTables(file)
    const { store, migration } = openProgressStore(file, { now: fakeClock().now })
    try {
      expect(migration).toMatchObject({ from: split.version - 1, to: split.version })
      const sessions = Object.fromEntries(store.sessions.list('ada').map((s) => [s.lessonId, s]))
      expect(sessions[FIRST]).toMatchObject({
        stepId: 'why-no-answer',
        status: 'in-progress',
        timeSpentMs: 75000
      })
      expect(sessions[SECOND]).toMatchObject({
        stepId: 'conntrack-remembers',
        status: 'in-progress',
        timeSpentMs: 15000,
        startedAt: 1000
      })

      // Each half's snapshot holds that lesson's own progress, which its real lesson scores.
      const contextOf = (id: string): LessonContext =>
        (sessions[id]!.snapshot as { machine: { context: LessonContext } }).machine.context
      expect(contextOf(FIRST).completed).toEqual(
        lesson(FIRST)
          .steps.slice(0, 10)
          .map((s) => s.id)
      )
      expect(contextOf(SECOND).completed).toEqual(['predict-backend-address'])
      expect(contextOf(SECOND).hints).toEqual({
        'conntrack-remembers': { revealed: 1, dynamic: 0, solution: false }
      })
      expect(scoreOf(lesson(FIRST), contextOf(FIRST)).score).toBe(3)
      expect(scoreOf(lesson(SECOND), contextOf(SECOND)).score).toBe(0)
      expect((sessions[SECOND]!.snapshot as { stepJournalStart: number }).stepJournalStart).toBe(2)

      expect(store.attempts.list('ada', FIRST).map((a) => a.questionId)).toEqual(['why-eth0'])
      expect(store.attempts.list('ada', SECOND).map((a) => [a.questionId, a.correct])).toEqual([
        ['predict-backend-address', false]
      ])
      expect(store.review.list('ada').map((r) => [r.lessonId, r.questionId])).toEqual([
        [SECOND, 'predict-backend-address']
      ])
      expect(store.hints.list('ada', SECOND).map((h) => h.stepId)).toEqual(['conntrack-remembers'])
      expect(store.events.list('ada', SECOND).map((e) => e.stepId)).toEqual(['predict-backend-address'])
      expect(store.events.list('ada', FIRST)).toHaveLength(10)
      expect(store.journal.list('ada', SECOND).entries).toEqual(store.journal.list('ada', FIRST).entries)
      expect(
        store.lessonOpens
          .list('ada')
          .map((o) => o.lessonId)
          .sort()
      ).toEqual([SECOND, FIRST])
      expect(store.classes.lessonState('c1', SECOND)).toBe('locked')
      expect(store.exportAttemptsCsv()).toMatch(
        /service-connections,predict-backend-address,predict-backend-address/
      )

      // Nothing lost: every row is still there, under one lesson or the other.
      const after = dumpTables(file)
      for (const table of ['quiz_attempts', 'review_items', 'hint_uses', 'step_events']) {
        expect({ table, rows: after[table]!.length }).toEqual({ table, rows: before[table]!.length })
      }
    } finally {
      store.close()
    }

    const settled = dumpTables(file)
    const db = new Database(file)
    split.data!(db, 0)
    db.close()
    expect(dumpTables(file)).toEqual(settled)
    const again = openProgressStore(file, { now: fakeClock().now })
    again.store.close()
    expect(again.migration).toMatchObject({ from: split.version, to: split.version })
    expect(dumpTables(file)).toEqual(settled)
  })
})
