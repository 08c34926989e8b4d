import { parseJson, type StoreContext } from './context.ts'
import { StoreError } from './errors.ts'

/** `stopped`: the command ran over its CPU budget; it stays in the journal but is never replayed. */
export type JournalStatus = 'ok' | 'stopped'

/** One thing that changed a lesson's lab (a command, a trace), at its place in the journal. */
export interface JournalEntry {
  /**
   * 0-based: the n-th thing done in the lab since it was last reset. Appending and truncating keep
   * positions gap-free; only an imported file that had to leave out a damaged row has a gap.
   */
  position: number
  /** What the caller appended, as JSON gives it back. */
  entry: unknown
  status: JournalStatus
}

/** A journal row whose JSON cannot be read (a damaged file); `list` leaves it out. */
export interface SkippedJournalEntry {
  position: number
  status: JournalStatus
  /** The JSON parser's words, for a support request. */
  reason: string
}

/**
 * The readable entries in order, plus the rows that were left out because they could not be
 * read. `skipped` is a non-enumerable property, so the list compares, spreads and serialises as
 * a plain array; read it before handing the list on.
 */
export type JournalListing = JournalEntry[] & { readonly skipped: readonly SkippedJournalEntry[] }

export interface JournalRow {
  learner_id: string
  lesson_id: string
  position: number
  entry_json: string
  status: JournalStatus
  created_at: number
}

const LESSON = 'learner_id = @learnerId AND lesson_id = @lessonId'
/** The position after the last one, 0 for an empty journal: one step down the primary key. */
const NEXT_POSITION = `coalesce((SELECT position + 1 FROM lesson_journal WHERE ${LESSON}
  ORDER BY position DESC LIMIT 1), 0)`

/**
 * The lab journal of each (learner, lesson): everything that changed the lab, replayed in order
 * to rebuild it when the lesson is reopened. One row per entry, so appending costs the same at
 * the 3000th command as at the first; the session's snapshot holds only the lesson machine.
 */
export class JournalRepository {
  readonly #ctx: StoreContext
  readonly #append
  readonly #length
  readonly #stop
  readonly #list
  readonly #truncate

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    const db = ctx.db
    // One statement reads the next position and inserts at it, so no other writer can slip in
    // between (the key would refuse a duplicate position anyway).
    this.#append = db.prepare<[AppendParams], { position: number }>(`
      INSERT INTO lesson_journal (learner_id, lesson_id, position, entry_json, status, created_at)
      SELECT @learnerId, @lessonId, ${NEXT_POSITION}, @json, @status, @now
      RETURNING position`)
    this.#length = db.prepare<[LessonParams], { n: number }>(`SELECT ${NEXT_POSITION} AS n`)
    this.#stop = db.prepare<[LessonParams & { position: number }]>(
      `UPDATE lesson_journal SET status = 'stopped' WHERE ${LESSON} AND position = @position`
    )
    this.#list = db.prepare<[LessonParams], Pick<JournalRow, 'position' | 'entry_json' | 'status'>>(
      `SELECT position, entry_json, status FROM lesson_journal WHERE ${LESSON} ORDER BY position`
    )
    this.#truncate = db.prepare<[LessonParams & { keep: number }]>(
      `DELETE FROM lesson_journal WHERE ${LESSON} AND position >= @keep`
    )
  }

  /** Adds `entry` (any JSON value) after the last entry and returns its position. */
  append(learnerId: string, lessonId: string, entry: unknown, status: JournalStatus = 'ok'): number {
    const json = entryJson(entry)
    if (status !== 'ok' && status !== 'stopped') {
      throw new StoreError(
        'invalid',
        `A lab journal status must be "ok" or "stopped", got ${String(status)}.`
      )
    }
    return this.#ctx.write(
      'add to the lab journal',
      () => this.#append.get({ learnerId, lessonId, json, status, now: this.#ctx.now() })!.position
    )
  }

  /** Marks the entry at `position` as stopped (over its CPU budget): kept, never replayed. */
  markStopped(learnerId: string, lessonId: string, position: number): void {
    validPosition('position', position)
    this.#ctx.write('mark the lab command as stopped', () => {
      if (this.#stop.run({ learnerId, lessonId, position }).changes === 0) {
        throw new StoreError(
          'not-found',
          `Lesson ${lessonId} of learner ${learnerId} has no lab journal entry at position ${position}.`
        )
      }
    })
  }

  /**
   * Every entry in order, `stopped` ones included. A row whose JSON cannot be read is left out
   * and reported in the result's `skipped` rather than making the whole lesson unusable.
   */
  list(learnerId: string, lessonId: string): JournalListing {
    const rows = this.#ctx.read('read the lab journal', () => this.#list.all({ learnerId, lessonId }))
    const entries: JournalEntry[] = []
    const skipped: SkippedJournalEntry[] = []
    for (const row of rows) {
      try {
        entries.push({ position: row.position, entry: parseJson(row.entry_json), status: row.status })
      } catch (error) {
        skipped.push({
          position: row.position,
          status: row.status,
          reason: error instanceof Error ? error.message : String(error)
        })
      }
    }
    return Object.defineProperty(entries, 'skipped', { value: skipped, enumerable: false }) as JournalListing
  }

  /**
   * Deletes every entry at position `keep` or later: 0 forgets the whole lab, the journal's length
   * when a step began undoes only that step.
   */
  truncate(learnerId: string, lessonId: string, keep: number): void {
    validPosition('keep', keep)
    this.#ctx.write('reset the lab journal', () => {
      this.#truncate.run({ learnerId, lessonId, keep })
    })
  }

  /** The position the next `append` takes: the number of entries, as positions start at 0. */
  length(learnerId: string, lessonId: string): number {
    return this.#ctx.read('read the lab journal', () => this.#length.get({ learnerId, lessonId })!.n)
  }
}

interface LessonParams {
  learnerId: string
  lessonId: string
}

interface AppendParams extends LessonParams {
  json: string
  status: JournalStatus
  now: number
}

function entryJson(entry: unknown): string {
  let json: string | undefined
  try {
    json = JSON.stringify(entry)
  } catch (error) {
    throw new StoreError(
      'invalid',
      `A lab journal entry must be JSON: ${error instanceof Error ? error.message : String(error)}.`,
      { cause: error }
    )
  }
  if (json === undefined) {
    throw new StoreError('invalid', `A lab journal entry must be JSON, got ${typeof entry}.`)
  }
  return json
}

function validPosition(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new StoreError('invalid', `A lab journal ${name} must be a non-negative integer, got ${value}.`)
  }
}
