import { randomBytes } from 'node:crypto'
import type Database from 'better-sqlite3'
import { decodeSnapshot, type SessionRow } from './sessions.ts'

/**
 * Migration 11's data step: lesson `services-clusterip` was split after its step `why-no-answer`,
 * and its second half became lesson `service-connections`. Everything a learner did in that half
 * follows it there; what both halves share (the quiz and done steps, openings, the lab) is copied.
 *
 * The lesson as it was before the split is written out here rather than read from `lessons/`:
 * this step must keep doing what it did the day it shipped, whatever the lessons become.
 */
const FROM = 'services-clusterip'
const TO = 'service-connections'
/** The old lesson's steps in order, as it shipped before the split. */
export const STEPS_BEFORE_THE_SPLIT = [
  'replace-a-pod',
  'why-services',
  'no-interface',
  'read-the-rules',
  'chains-explained',
  'hundred-requests',
  'predict-ping',
  'ping-and-curl',
  'follow-the-echo',
  'why-no-answer',
  'predict-backend-address',
  'conntrack-remembers',
  'predict-same-node-ttl',
  'predict-hairpin-ttl',
  'hairpin',
  'no-endpoints',
  'refused-explained',
  'quiz',
  'done'
]
const MOVED_STEPS = new Set(
  STEPS_BEFORE_THE_SPLIT.slice(STEPS_BEFORE_THE_SPLIT.indexOf('predict-backend-address'), -2)
)
/** Both lessons end with a quiz and a checkpoint of these ids. */
const SHARED_STEPS = new Set(['quiz', 'done'])
/** Question ids (a prediction's is its step id) that moved, the quiz's last three among them. */
const MOVED_QUESTIONS = new Set([
  'predict-backend-address',
  'predict-same-node-ttl',
  'predict-hairpin-ttl',
  'hairpin-source',
  'reply-source',
  'no-endpoints-curl',
  'hairpin-device'
])
/** Points each half is worth (every question and prediction one point) and the pass mark. */
const MAX_SCORE = { [FROM]: 8, [TO]: 7 }
const PASS_SCORE = 0.7

type Side = typeof FROM | typeof TO

const sideOfStep = (stepId: string): Side | 'both' =>
  MOVED_STEPS.has(stepId) ? TO : SHARED_STEPS.has(stepId) ? 'both' : FROM
const stepOn = (side: Side) => (stepId: string) => {
  const of = sideOfStep(stepId)
  return of === 'both' || of === side
}
const questionOn = (side: Side) => (questionId: string) => MOVED_QUESTIONS.has(questionId) === (side === TO)

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The lesson machine's context inside a stored session (`{ machine: { value, context } }`), or null. */
function contextOf(stored: unknown): Json | null {
  if (!isObject(stored) || !isObject(stored['machine'])) return null
  const context = stored['machine']['context']
  return isObject(context) && Array.isArray(context['completed']) ? context : null
}

const pick = (record: unknown, keep: (key: string) => boolean): Json =>
  isObject(record) ? Object.fromEntries(Object.entries(record).filter(([key]) => keep(key))) : {}

/** One half of a context: the steps and answers of that side only, named as that lesson. */
function contextFor(context: Json, side: Side): Json {
  const onStep = stepOn(side)
  return {
    ...context,
    lessonId: side,
    completed: (context['completed'] as unknown[]).filter((id) => typeof id === 'string' && onStep(id)),
    tasks: pick(context['tasks'], onStep),
    hints: pick(context['hints'], onStep),
    predictions: pick(context['predictions'], onStep),
    traces: pick(context['traces'], onStep),
    answers: pick(context['answers'], questionOn(side))
  }
}

/** The half's score from the last grading of each of its questions and its revealed predictions. */
function scoreFor(half: Json, side: Side): number {
  let points = 0
  for (const gradings of Object.values(half['answers'] as Json)) {
    const last = Array.isArray(gradings) ? (gradings.at(-1) as unknown) : undefined
    if (isObject(last) && typeof last['score'] === 'number') points += last['score']
  }
  for (const prediction of Object.values(half['predictions'] as Json)) {
    if (isObject(prediction) && typeof prediction['score'] === 'number') points += prediction['score']
  }
  return Math.min(1, Math.round((points / MAX_SCORE[side]) * 1e6) / 1e6)
}

/** Where a half resumes: the same step when it has it, else the nearest earlier one it has. */
function stepFor(stepId: string, side: Side): string {
  const onStep = stepOn(side)
  if (!STEPS_BEFORE_THE_SPLIT.includes(stepId) || onStep(stepId)) return stepId
  for (let i = STEPS_BEFORE_THE_SPLIT.indexOf(stepId) - 1; i >= 0; i--) {
    if (onStep(STEPS_BEFORE_THE_SPLIT[i]!)) return STEPS_BEFORE_THE_SPLIT[i]!
  }
  return STEPS_BEFORE_THE_SPLIT.find(onStep)!
}

/**
 * Active time is kept per session, not per step. It is shared out by the wall-clock time between
 * one completed step and the next, each stretch going to the half of the step it ended with, and
 * the stretch since the last one to the half the learner is in: the best record of where the
 * time went, and the two parts always add up to the old total.
 */
function timeOnMovedSide(db: Database.Database, session: SessionRow): { moved: number; kept: number } {
  const events = db
    .prepare<[string], { step_id: string; at: number }>(
      `SELECT step_id, at FROM step_events WHERE learner_id = ? AND lesson_id = '${FROM}'
       AND kind = 'step-completed' ORDER BY at, id`
    )
    .all(session.learner_id)
  let moved = 0
  let other = 0
  let from = session.started_at
  const add = (stepId: string, until: number): void => {
    const span = Math.max(0, until - from)
    if (sideOfStep(stepId) === TO) moved += span
    else other += span
    from = Math.max(from, until)
  }
  for (const event of events) add(event.step_id, event.at)
  if (session.status !== 'completed') add(session.step_id, session.updated_at)
  const total = moved + other
  const movedMs = total === 0 ? 0 : Math.round((session.time_spent_ms * moved) / total)
  return { moved: movedMs, kept: session.time_spent_ms - movedMs }
}

/** A UUIDv7 at `ms`, as the store's ids are, so rows copied here sort where their originals do. */
function idAt(ms: number): string {
  const bytes = randomBytes(16)
  bytes.writeUIntBE(ms, 0, 6)
  bytes[6] = 0x70 | (bytes[6]! & 0x0f)
  bytes[8] = 0x80 | (bytes[8]! & 0x3f)
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** A learner reached the second half when they stand in it or past it, or left a record in it. */
function reachedSecondHalf(db: Database.Database, session: SessionRow): boolean {
  if (session.status === 'completed' || sideOfStep(session.step_id) !== FROM) return true
  const steps = JSON.stringify([...MOVED_STEPS])
  const questions = JSON.stringify([...MOVED_QUESTIONS])
  const row = db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM step_events WHERE learner_id = @l AND lesson_id = '${FROM}'
                        AND step_id IN (SELECT value FROM json_each(@steps)))
           OR EXISTS (SELECT 1 FROM hint_uses WHERE learner_id = @l AND lesson_id = '${FROM}'
                        AND step_id IN (SELECT value FROM json_each(@steps)))
           OR EXISTS (SELECT 1 FROM quiz_attempts WHERE learner_id = @l AND lesson_id = '${FROM}'
                        AND question_id IN (SELECT value FROM json_each(@questions))) AS reached`
    )
    .get({ l: session.learner_id, steps, questions }) as { reached: number }
  return row.reached === 1
}

export function splitServicesLesson(db: Database.Database): void {
  const sessions = db
    .prepare<[], SessionRow>(
      `SELECT s.* FROM lesson_sessions s JOIN learners l ON l.id = s.learner_id
       WHERE s.lesson_id = '${FROM}' ORDER BY s.learner_id`
    )
    .all()
  const hasSecond = db.prepare<[string]>(
    `SELECT 1 FROM lesson_sessions WHERE learner_id = ? AND lesson_id = '${TO}'`
  )
  const insertSession = db.prepare(
    `INSERT INTO lesson_sessions (learner_id, lesson_id, status, content_hash, step_id, started_at,
       completed_at, score, passed, time_spent_ms, updated_at, snapshot_json)
     VALUES (@learner_id, '${TO}', @status, @content_hash, @step_id, @started_at, @completed_at,
       @score, @passed, @time_spent_ms, @updated_at, @snapshot_json)`
  )
  const updateSession = db.prepare(
    `UPDATE lesson_sessions SET step_id = @step_id, score = @score, passed = @passed,
       time_spent_ms = @time_spent_ms, snapshot_json = @snapshot_json
     WHERE learner_id = @learner_id AND lesson_id = '${FROM}'`
  )
  for (const session of sessions) {
    if (hasSecond.get(session.learner_id) || !reachedSecondHalf(db, session)) continue
    const time = timeOnMovedSide(db, session)
    const stored = decodeSnapshot(session.snapshot_json)
    const context = contextOf(stored)
    const half = (side: Side): { snapshot_json: string; score: number | null; passed: number | null } => {
      const completed = session.status === 'completed'
      if (context === null || !isObject(stored)) {
        return { snapshot_json: session.snapshot_json, score: session.score, passed: session.passed }
      }
      const halfContext = contextFor(context, side)
      const score = scoreFor(halfContext, side)
      const machine = { ...(stored['machine'] as Json), context: halfContext }
      return {
        snapshot_json: JSON.stringify({ ...stored, machine }),
        score: completed ? score : null,
        passed: completed ? (score >= PASS_SCORE ? 1 : 0) : null
      }
    }
    const second = half(TO)
    const first = half(FROM)
    insertSession.run({
      ...session,
      ...second,
      step_id: stepFor(session.step_id, TO),
      time_spent_ms: time.moved
    })
    updateSession.run({
      ...session,
      ...first,
      step_id: stepFor(session.step_id, FROM),
      time_spent_ms: time.kept
    })
    copySharedRows(db, session.learner_id, { [FROM]: first, [TO]: second }, time)
  }
  moveSecondHalfRecords(db)
}

/**
 * The lab, the openings and the shared steps' events exist in both lessons now. A completion
 * event carries the score and time of its own half, as the sessions do.
 */
function copySharedRows(
  db: Database.Database,
  learnerId: string,
  halves: Record<Side, { score: number | null; passed: number | null }>,
  time: { moved: number; kept: number }
): void {
  db.prepare(
    `INSERT OR IGNORE INTO lesson_journal (learner_id, lesson_id, position, entry_json, status, created_at)
     SELECT learner_id, '${TO}', position, entry_json, status, created_at FROM lesson_journal
     WHERE learner_id = ? AND lesson_id = '${FROM}'`
  ).run(learnerId)
  const opens = db
    .prepare<[string], { opened_at: number }>(
      `SELECT opened_at FROM lesson_opens WHERE learner_id = ? AND lesson_id = '${FROM}' ORDER BY opened_at`
    )
    .all(learnerId)
  const insertOpen = db.prepare<[string, string, number]>(
    `INSERT INTO lesson_opens (id, learner_id, lesson_id, opened_at) VALUES (?, ?, '${TO}', ?)`
  )
  for (const { opened_at } of opens) insertOpen.run(idAt(opened_at), learnerId, opened_at)

  const shared = db
    .prepare<[string], { id: string; step_id: string; kind: string; data_json: string | null; at: number }>(
      `SELECT id, step_id, kind, data_json, at FROM step_events WHERE learner_id = ? AND lesson_id = '${FROM}'
       ORDER BY id`
    )
    .all(learnerId)
    .filter(
      (event) => sideOfStep(event.step_id) === 'both' || !STEPS_BEFORE_THE_SPLIT.includes(event.step_id)
    )
  const insertEvent = db.prepare(
    `INSERT INTO step_events (id, learner_id, lesson_id, step_id, kind, data_json, at)
     VALUES (?, ?, '${TO}', ?, ?, ?, ?)`
  )
  const updateData = db.prepare(
    `UPDATE step_events SET data_json = ? WHERE learner_id = ? AND lesson_id = '${FROM}' AND id = ?`
  )
  for (const event of shared) {
    const data = event.data_json === null ? null : (JSON.parse(event.data_json) as unknown)
    const completion = event.kind === 'lesson-completed' && isObject(data)
    const dataFor = (side: Side): string | null => {
      const { score, passed } = halves[side]
      if (!completion || score === null) return event.data_json
      const timeSpentMs = side === TO ? time.moved : time.kept
      return JSON.stringify({ ...data, score, passed: passed === 1, timeSpentMs })
    }
    insertEvent.run(idAt(event.at), learnerId, event.step_id, event.kind, dataFor(TO), event.at)
    if (completion) updateData.run(dataFor(FROM), learnerId, event.id)
  }
}

/** Attempts, review items, hint uses and step events of the second half, for every learner; class gates. */
function moveSecondHalfRecords(db: Database.Database): void {
  const steps = JSON.stringify([...MOVED_STEPS])
  const questions = JSON.stringify([...MOVED_QUESTIONS])
  for (const table of ['quiz_attempts', 'review_items']) {
    db.prepare(
      `UPDATE OR IGNORE ${table} SET lesson_id = '${TO}' WHERE lesson_id = '${FROM}'
       AND question_id IN (SELECT value FROM json_each(?))`
    ).run(questions)
  }
  for (const table of ['hint_uses', 'step_events']) {
    db.prepare(
      `UPDATE OR IGNORE ${table} SET lesson_id = '${TO}' WHERE lesson_id = '${FROM}'
       AND step_id IN (SELECT value FROM json_each(?))`
    ).run(steps)
  }
  // The new lesson is gated as the old one was, just behind it in the course.
  db.prepare(
    `INSERT OR IGNORE INTO class_lessons (class_id, lesson_id, position, state)
     SELECT class_id, '${TO}', position, state FROM class_lessons WHERE lesson_id = '${FROM}'`
  ).run()
}
