import { parseJson, type StoreContext } from './context.ts'
import { StoreError } from './errors.ts'

export type SessionStatus = 'in-progress' | 'completed'

/** A learner's progress through one lesson, with the machine snapshot that resumes it. */
export interface LessonSession {
  learnerId: string
  lessonId: string
  /** `completed` is sticky: replaying or editing a lesson never takes a completion back. */
  status: SessionStatus
  /** The xstate `getPersistedSnapshot()` value, as saved. */
  snapshot: unknown
  /** Hash of the lesson content the snapshot was taken against. */
  contentHash: string
  stepId: string
  startedAt: number
  completedAt: number | null
  /** Lesson score 0–1 at completion (best of all completions), null before. */
  score: number | null
  passed: boolean | null
  timeSpentMs: number
  updatedAt: number
}

/** A loaded session, plus whether the lesson changed since its snapshot was saved. */
export interface LoadedSession extends LessonSession {
  /**
   * True when the caller's current content hash differs from the saved one: the snapshot may name
   * states that no longer exist, so the caller resumes at `stepId` (or the nearest earlier step).
   */
  contentChanged: boolean
}

export interface SaveSnapshotInput {
  learnerId: string
  lessonId: string
  snapshot: unknown
  contentHash: string
  stepId: string
  /** Active time since the previous save, added to the session's time spent. */
  activeMsDelta?: number
}

export interface CompleteInput {
  learnerId: string
  lessonId: string
  /** 0–1 after retry penalties, as the lesson grading computed it. */
  score: number
  passed: boolean
  activeMsDelta?: number
}

export interface SessionRow {
  learner_id: string
  lesson_id: string
  status: SessionStatus
  snapshot_json: string
  content_hash: string
  step_id: string
  started_at: number
  completed_at: number | null
  score: number | null
  passed: number | null
  time_spent_ms: number
  updated_at: number
}

export const toSession = (r: SessionRow): LessonSession => ({
  learnerId: r.learner_id,
  lessonId: r.lesson_id,
  status: r.status,
  snapshot: readableSnapshot(r),
  contentHash: r.content_hash,
  stepId: r.step_id,
  startedAt: r.started_at,
  completedAt: r.completed_at,
  score: r.score,
  passed: r.passed === null ? null : r.passed === 1,
  timeSpentMs: r.time_spent_ms,
  updatedAt: r.updated_at
})

/** A stored snapshot's value, or null when its text no longer parses; `unreadable` hears why. */
export function decodeSnapshot(json: string, unreadable: (reason: string) => void = () => {}): unknown {
  try {
    return parseJson(json)
  } catch (error) {
    unreadable(error instanceof Error ? error.message : String(error))
    return null
  }
}

/**
 * A snapshot that no longer parses (a damaged row) is dropped on its own: the session keeps its
 * status, score and time, the lab is rebuilt from the journal, and the next save replaces it.
 */
export function readableSnapshot(r: Pick<SessionRow, 'learner_id' | 'lesson_id' | 'snapshot_json'>): unknown {
  return decodeSnapshot(r.snapshot_json, (reason) =>
    console.warn(
      `lesson session ${r.lesson_id} of learner ${r.learner_id}: its snapshot is unreadable and was discarded; the lesson resumes from its journal (${reason})`
    )
  )
}

/** Lesson sessions keyed by (learner, lesson): save after every transition, load to resume, complete. */
export class SessionsRepository {
  readonly #ctx: StoreContext
  readonly #upsert
  readonly #get
  readonly #list
  readonly #complete
  readonly #visitedSteps

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    const db = ctx.db
    this.#upsert = db.prepare<[UpsertParams]>(`
      INSERT INTO lesson_sessions (learner_id, lesson_id, status, snapshot_json, content_hash, step_id,
                                   started_at, time_spent_ms, updated_at)
      VALUES (@learnerId, @lessonId, 'in-progress', @json, @contentHash, @stepId, @now, @delta, @now)
      ON CONFLICT (learner_id, lesson_id) DO UPDATE SET
        snapshot_json = excluded.snapshot_json, content_hash = excluded.content_hash,
        step_id = excluded.step_id, time_spent_ms = time_spent_ms + excluded.time_spent_ms,
        updated_at = excluded.updated_at`)
    this.#get = db.prepare<[string, string], SessionRow>(
      'SELECT * FROM lesson_sessions WHERE learner_id = ? AND lesson_id = ?'
    )
    this.#list = db.prepare<[string], SessionRow>(
      'SELECT * FROM lesson_sessions WHERE learner_id = ? ORDER BY lesson_id'
    )
    this.#visitedSteps = db.prepare<[string, string], { step_id: string }>(
      'SELECT step_id FROM step_events WHERE learner_id = ? AND lesson_id = ? ORDER BY id DESC'
    )
    this.#complete = db.prepare<[CompleteParams]>(`
      UPDATE lesson_sessions SET
        status = 'completed', completed_at = coalesce(completed_at, @now),
        score = max(coalesce(score, 0), @score), passed = max(coalesce(passed, 0), @passed),
        time_spent_ms = time_spent_ms + @delta, updated_at = @now
      WHERE learner_id = @learnerId AND lesson_id = @lessonId`)
  }

  /** Upserts the snapshot; the first save starts the session. */
  saveSnapshot(input: SaveSnapshotInput): LessonSession {
    const delta = validDelta(input.activeMsDelta)
    const json = JSON.stringify(input.snapshot)
    return this.#ctx.write('save lesson progress', () => {
      this.#upsert.run({
        learnerId: input.learnerId,
        lessonId: input.lessonId,
        json,
        contentHash: input.contentHash,
        stepId: input.stepId,
        now: this.#ctx.now(),
        delta
      })
      return toSession(this.#get.get(input.learnerId, input.lessonId)!)
    })
  }

  /** The saved session, or null when the learner never started the lesson. */
  load(learnerId: string, lessonId: string, currentContentHash?: string): LoadedSession | null {
    const row = this.#ctx.read('load lesson progress', () => this.#get.get(learnerId, lessonId))
    if (!row) return null
    const session = toSession(row)
    return {
      ...session,
      contentChanged: currentContentHash !== undefined && currentContentHash !== session.contentHash
    }
  }

  /**
   * Where to resume after the lesson was edited (docs/architecture.md, "Edited lessons"): the
   * saved step if it still exists, else the most recent step the learner's events visited that
   * still exists, else the lesson's first step. Null when the lesson was never started.
   */
  resumeStepId(learnerId: string, lessonId: string, currentStepIds: readonly string[]): string | null {
    return this.#ctx.read('find where to resume', () => {
      const row = this.#get.get(learnerId, lessonId)
      if (!row) return null
      const exists = new Set(currentStepIds)
      if (exists.has(row.step_id)) return row.step_id
      for (const visited of this.#visitedSteps.iterate(learnerId, lessonId)) {
        if (exists.has(visited.step_id)) return visited.step_id
      }
      return currentStepIds[0] ?? null
    })
  }

  /** Marks the lesson completed; a repeat completion keeps the first date and the best score. */
  complete(input: CompleteInput): LessonSession {
    if (!(input.score >= 0 && input.score <= 1)) {
      throw new StoreError('invalid', `A lesson score must be between 0 and 1, got ${input.score}.`)
    }
    const delta = validDelta(input.activeMsDelta)
    return this.#ctx.write('record the completed lesson', () => {
      const params = {
        now: this.#ctx.now(),
        score: input.score,
        passed: input.passed ? 1 : 0,
        delta,
        learnerId: input.learnerId,
        lessonId: input.lessonId
      }
      if (this.#complete.run(params).changes === 0) {
        throw new StoreError(
          'not-found',
          `Lesson ${input.lessonId} was never started by learner ${input.learnerId}; save a snapshot first.`
        )
      }
      return toSession(this.#get.get(input.learnerId, input.lessonId)!)
    })
  }

  list(learnerId: string): LessonSession[] {
    return this.#ctx.read('list lesson progress', () => this.#list.all(learnerId).map(toSession))
  }
}

interface UpsertParams {
  learnerId: string
  lessonId: string
  json: string
  contentHash: string
  stepId: string
  now: number
  delta: number
}

interface CompleteParams {
  now: number
  score: number
  passed: number
  delta: number
  learnerId: string
  lessonId: string
}

function validDelta(ms: number | undefined): number {
  const delta = ms ?? 0
  if (!Number.isInteger(delta) || delta < 0) {
    throw new StoreError('invalid', `activeMsDelta must be a non-negative integer, got ${delta}.`)
  }
  return delta
}
