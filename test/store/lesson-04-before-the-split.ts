import { join } from 'node:path'
import Database from 'better-sqlite3'
import { migrations } from '../../src-main/store/migrations.ts'
import { STEPS_BEFORE_THE_SPLIT } from '../../src-main/store/split-services-lesson.ts'
import { tempDir } from './helpers.ts'

export const split = migrations.find((m) => m.name.startsWith('lesson services-clusterip split'))!
export const FIRST = 'services-clusterip'
export const SECOND = 'service-connections'

const grading = (questionId: string, score: number) => ({
  questionId,
  attempt: 1,
  fraction: score,
  score,
  maxScore: 1,
  correct: score === 1,
  finished: true,
  feedback: []
})

/**
 * Ada, halfway through the old lesson 04: every step up to `predict-backend-address` done (that
 * prediction wrong, so it is in her review queue), a hint taken on `conntrack-remembers`, where
 * she stands, and a class that keeps lesson 04 locked for everyone else.
 */
export function fileBeforeTheSplit(): string {
  const file = join(tempDir(), 'progress.sqlite')
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)'
  )
  for (const m of migrations.filter((m) => m.version < split.version)) {
    db.exec(m.sql)
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name)
  }
  db.prepare("INSERT INTO learners VALUES ('ada', 'Ada', 1, 1)").run()
  const done = STEPS_BEFORE_THE_SPLIT.slice(0, STEPS_BEFORE_THE_SPLIT.indexOf('predict-backend-address') + 1)
  const context = {
    lessonId: FIRST,
    contentHash: 'old',
    stepOrder: [...done, 'conntrack-remembers', 'quiz', 'done'],
    completed: done,
    tasks: { 'replace-a-pod': { satisfied: [], failing: [], solved: true } },
    hints: { 'conntrack-remembers': { revealed: 1, dynamic: 0, solution: false } },
    answers: {
      'why-eth0': [grading('why-eth0', 1)],
      'echo-source-at-gateway': [grading('echo-source-at-gateway', 1)]
    },
    predictions: {
      'predict-ping': { value: 'dropped', reality: 'dropped', correct: true, score: 1 },
      'predict-backend-address': { value: '10.96.0.110', reality: 'web-1/eth0', correct: false, score: 0 }
    },
    traces: { 'follow-the-echo': ['client/eth0'] }
  }
  db.prepare(
    `INSERT INTO lesson_sessions (learner_id, lesson_id, status, content_hash, step_id, started_at,
       time_spent_ms, updated_at, snapshot_json)
     VALUES ('ada', ?, 'in-progress', 'old', 'conntrack-remembers', 1000, 90000, 13000, ?)`
  ).run(FIRST, JSON.stringify({ machine: { value: 'conntrack-remembers', context }, stepJournalStart: 2 }))
  // One step completed a second apart, so the last of them (the moved prediction) and the
  // second since belong to the second half: 2 of the 12 s, so 15 of the 90 s active.
  done.forEach((step, i) =>
    db
      .prepare(`INSERT INTO step_events VALUES ('ada', ?, ?, ?, 'step-completed', NULL, ?)`)
      .run(FIRST, `0000-${String(i).padStart(2, '0')}`, step, 2000 + i * 1000)
  )
  const attempt = db.prepare(
    `INSERT INTO quiz_attempts (id, learner_id, lesson_id, step_id, question_id, kind, attempt_no,
       answer_json, correct, score, duration_ms, at) VALUES (?, 'ada', ?, ?, ?, ?, 1, '"x"', ?, ?, 0, ?)`
  )
  attempt.run('a1', FIRST, 'follow-the-echo', 'why-eth0', 'quiz', 1, 1, 9000)
  attempt.run('a2', FIRST, 'predict-backend-address', 'predict-backend-address', 'prediction', 0, 0, 12000)
  db.prepare(
    `INSERT INTO review_items VALUES ('r1', 'ada', ?, 'predict-backend-address', 'predict-backend-address',
       'prediction', 2.5, 0, 0, 12000, NULL, 12000, 12000)`
  ).run(FIRST)
  db.prepare(`INSERT INTO hint_uses VALUES ('h1', 'ada', ?, 'conntrack-remembers', 'static', 1, 12500)`).run(
    FIRST
  )
  db.prepare(`INSERT INTO lesson_opens VALUES ('o1', 'ada', ?, 1000)`).run(FIRST)
  ;[
    '{"kind":"exec","on":"node-1","line":"kubectl delete pod web-2"}',
    '{"kind":"exec","on":"client","line":"ping -c 3 10.96.0.100"}'
  ].forEach((entry, position) =>
    db.prepare(`INSERT INTO lesson_journal VALUES ('ada', ?, ?, ?, 'ok', 1)`).run(FIRST, position, entry)
  )
  db.prepare(
    "INSERT INTO classes (id, name, join_code, status, created_at) VALUES ('c1', 'Class', 'AAAAAA', 'open', 1)"
  ).run()
  db.prepare(
    "INSERT INTO class_learners (class_id, learner_id, display_name, token_hash, joined_at, seat_code) VALUES ('c1', 'ada', 'Ada', 'h', 1, 'SEAT22')"
  ).run()
  db.prepare(`INSERT INTO class_lessons VALUES ('c1', ?, 4, 'locked')`).run(FIRST)
  db.close()
  return file
}
