import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { onTestFinished } from 'vitest'
import {
  ImportError,
  openProgressStore,
  type ImportIssue,
  type OpenOptions,
  type ProgressStore
} from '../../src-main/store/index.ts'

/** A fresh directory under the OS temp dir, removed when the current test finishes. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pnl-store-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A clock that only moves when told, starting at a fixed instant so stored times are predictable. */
export function fakeClock(start = Date.UTC(2026, 10, 25, 9, 0, 0)): {
  now: () => number
  advance: (ms: number) => void
} {
  let t = start
  return { now: () => t, advance: (ms) => void (t += ms) }
}

/** Opens a store on a real file in a temp dir, closed when the test finishes. */
export function openTempStore(options: Partial<OpenOptions> = {}): {
  store: ProgressStore
  file: string
  clock: ReturnType<typeof fakeClock>
} {
  const clock = fakeClock()
  const file = join(tempDir(), 'progress.sqlite')
  const { store } = openProgressStore(file, { now: clock.now, ...options })
  onTestFinished(() => store.close())
  return { store, file, clock }
}

/** Every row of every table, through a separate read-only connection: "nothing changed" made checkable. */
export function dumpTables(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true })
  try {
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
    return Object.fromEntries(
      tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2, 3`).all()])
    )
  } finally {
    db.close()
  }
}

/** A learner with a little of everything: two lessons, events, attempts (one wrong), a hint, a setting. */
export function seedLearner(store: ProgressStore, clock: ReturnType<typeof fakeClock>, name = 'Ada'): string {
  const learner = store.profiles.create(name)
  const id = learner.id
  store.lessonOpens.record(id, '01-pods')
  clock.advance(1000)
  store.sessions.saveSnapshot({
    learnerId: id,
    lessonId: '01-pods',
    snapshot: { value: 'intro', context: { seen: ['intro'] } },
    contentHash: 'hash-a',
    stepId: 'intro',
    activeMsDelta: 1000
  })
  store.events.append({ learnerId: id, lessonId: '01-pods', stepId: 'intro', kind: 'step.entered' })
  clock.advance(1000)
  store.attempts.record({
    learnerId: id,
    lessonId: '01-pods',
    stepId: 'quiz-1',
    questionId: 'q-veth',
    kind: 'quiz',
    answer: ['b'],
    correct: false,
    score: 0,
    hintsUsed: 1,
    durationMs: 4200
  })
  store.hints.record({ learnerId: id, lessonId: '01-pods', stepId: 'quiz-1', kind: 'static', level: 0 })
  clock.advance(1000)
  store.attempts.record({
    learnerId: id,
    lessonId: '01-pods',
    stepId: 'quiz-1',
    questionId: 'q-veth',
    kind: 'quiz',
    answer: ['a'],
    correct: true,
    score: 0.5,
    hintsUsed: 1,
    durationMs: 3000
  })
  store.sessions.complete({
    learnerId: id,
    lessonId: '01-pods',
    score: 0.75,
    passed: true,
    activeMsDelta: 2000
  })
  store.lessonOpens.record(id, '02-bridge')
  store.settings.set('locale', 'zh-CN', id)
  return id
}

/** What import objects to in `text`; fails when it imports. */
export function issuesOf(store: ProgressStore, text: string): ImportIssue[] {
  try {
    store.importProgress(text)
  } catch (error) {
    if (error instanceof ImportError) return error.issues
    throw error
  }
  throw new Error('import was expected to fail')
}
