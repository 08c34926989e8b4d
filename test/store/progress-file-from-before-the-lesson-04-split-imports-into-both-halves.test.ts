import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { StoreContext } from '../../src-main/store/context.ts'
import { openProgressStore } from '../../src-main/store/index.ts'
import { JournalRepository } from '../../src-main/store/journal.ts'
import { checksumOf } from '../../src-main/store/progress-file.ts'
import { ProgressTransfer } from '../../src-main/store/transfer.ts'
import { fakeClock, tempDir } from './helpers.ts'
import { FIRST, SECOND, fileBeforeTheSplit } from './lesson-04-before-the-split.ts'

/**
 * Ada's progress exported by an app from before the split: the old lesson 04 with her second
 * half's prediction, review item and hint in it, in a file of the version it had (2).
 */
function progressFileOfVersion(formatVersion: number): string {
  const db = new Database(fileBeforeTheSplit())
  try {
    const ctx = new StoreContext(db, 'before-the-split', fakeClock().now)
    const exported = JSON.parse(
      new ProgressTransfer(ctx, new JournalRepository(ctx)).exportProgress('ada')
    ) as {
      body: unknown
    }
    return JSON.stringify({ ...exported, formatVersion, checksum: checksumOf(exported.body) })
  } finally {
    db.close()
  }
}

function importedInto(text: string) {
  const { store } = openProgressStore(join(tempDir(), 'progress.sqlite'), { now: fakeClock().now })
  store.importProgress(text)
  return store
}

describe('a progress file from before lesson 04 was split', () => {
  it('imports each half’s progress into its own lesson, as the store’s own migration split it', () => {
    const store = importedInto(progressFileOfVersion(2))
    try {
      const sessions = Object.fromEntries(store.sessions.list('ada').map((s) => [s.lessonId, s]))
      expect(sessions[FIRST]).toMatchObject({ stepId: 'why-no-answer', timeSpentMs: 75000 })
      expect(sessions[SECOND]).toMatchObject({ stepId: 'conntrack-remembers', timeSpentMs: 15000 })
      const attempts = store.attempts.list('ada').map((a) => [a.lessonId, a.questionId])
      expect(attempts).toEqual([
        [FIRST, 'why-eth0'],
        [SECOND, 'predict-backend-address']
      ])
      expect(store.review.list('ada').map((r) => [r.lessonId, r.questionId])).toEqual([
        [SECOND, 'predict-backend-address']
      ])
    } finally {
      store.close()
    }
  })

  it('leaves a file written after the split as it is', () => {
    const store = importedInto(progressFileOfVersion(3))
    try {
      expect(store.sessions.list('ada').map((s) => s.lessonId)).toEqual([FIRST])
    } finally {
      store.close()
    }
  })
})
