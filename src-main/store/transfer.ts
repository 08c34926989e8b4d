import Database from 'better-sqlite3'
import type { z } from 'zod'
import { parseJson, StoreContext } from './context.ts'
import { StoreError } from './errors.ts'
import { findJsonSyntaxError } from './json-syntax.ts'
import {
  canonicalJson,
  checksumOf,
  parseProgressFileJson,
  PROGRESS_FORMAT,
  PROGRESS_FORMAT_VERSION,
  SPLIT_LESSON_FORMAT_VERSION,
  type ProgressBody,
  type ProgressFile
} from './progress-file.ts'
import { toAttempt, type AttemptRow } from './attempts.ts'
import { toStepEvent, type StepEventRow } from './events.ts'
import { toHintUse, type HintUseRow } from './hints.ts'
import { JournalRepository, type JournalEntry } from './journal.ts'
import { migrate } from './migrations.ts'
import { splitServicesLesson } from './split-services-lesson.ts'
import { toReviewItem, type ReviewItemRow } from './review.ts'
import { toSession, type SessionRow } from './sessions.ts'

/** A record as a progress file holds it: the file is one learner's, so its records do not name them. */
function ownRecord<T extends { learnerId: string }>({
  learnerId: _learnerId,
  ...record
}: T): Omit<T, 'learnerId'> {
  return record
}

/** One thing wrong with an import file; `path` names the field (`body.attempts[3].score`). */
export interface ImportIssue {
  path: string
  message: string
  /** For JSON syntax errors: where the text breaks (line and column 1-based, byte offset 0-based). */
  line?: number
  column?: number
  byteOffset?: number
}

/** Thrown when an import file is refused; nothing in the store was changed. */
export class ImportError extends StoreError {
  constructor(readonly issues: ImportIssue[]) {
    const shown = issues.slice(0, 10).map(formatIssue)
    const more = issues.length > 10 ? [`…and ${issues.length - 10} more`] : []
    super(
      'invalid',
      `The progress file was not imported, nothing changed:\n${[...shown, ...more].join('\n')}`
    )
  }
}

function formatIssue(issue: ImportIssue): string {
  const at =
    issue.line === undefined ? '' : ` (line ${issue.line}, column ${issue.column}, byte ${issue.byteOffset})`
  return `${issue.path}: ${issue.message}${at}`
}

/** Rows added or changed per kind of record; all zero when the file was already imported. */
export interface ImportReport {
  learnerId: string
  learnerCreated: boolean
  changes: {
    learner: number
    lessonOpens: number
    sessions: number
    /** Lab journal rows inserted or deleted to take the newer session's journal. */
    journal: number
    events: number
    attempts: number
    hintUses: number
    reviewItems: number
    settings: number
  }
}

/** Export to and import from the versioned JSON file (see progress-file.ts for the format). */
export class ProgressTransfer {
  readonly #ctx: StoreContext
  readonly #journal: JournalRepository
  readonly #s

  constructor(ctx: StoreContext, journal: JournalRepository) {
    this.#ctx = ctx
    this.#journal = journal
    const db = ctx.db
    const byLearner = (table: string, order: string): string =>
      `SELECT * FROM ${table} WHERE learner_id = ? ORDER BY ${order}`
    this.#s = {
      learner: db.prepare<[string], { id: string; name: string; created_at: number; updated_at: number }>(
        'SELECT * FROM learners WHERE id = ?'
      ),
      nameOwner: db.prepare<[string], { id: string }>(
        'SELECT id FROM learners WHERE name = ? COLLATE NOCASE'
      ),
      opens: db.prepare<[string], { id: string; lesson_id: string; opened_at: number }>(
        byLearner('lesson_opens', 'opened_at, id')
      ),
      sessions: db.prepare<[string], SessionRow>(byLearner('lesson_sessions', 'lesson_id')),
      session: db.prepare<[string, string], SessionRow>(
        'SELECT * FROM lesson_sessions WHERE learner_id = ? AND lesson_id = ?'
      ),
      events: db.prepare<[string], StepEventRow>(byLearner('step_events', 'at, id')),
      attempts: db.prepare<[string], AttemptRow>(byLearner('quiz_attempts', 'at, id')),
      hints: db.prepare<[string], HintUseRow>(byLearner('hint_uses', 'at, id')),
      reviews: db.prepare<[string], ReviewItemRow>(byLearner('review_items', 'lesson_id, question_id')),
      review: db.prepare<[string, string, string], { updated_at: number }>(
        'SELECT updated_at FROM review_items WHERE learner_id = ? AND lesson_id = ? AND question_id = ?'
      ),
      settings: db.prepare<[string], { key: string; value_json: string; updated_at: number }>(
        byLearner('learner_settings', 'key')
      ),
      setting: db.prepare<[string, string], { updated_at: number }>(
        'SELECT updated_at FROM learner_settings WHERE learner_id = ? AND key = ?'
      ),
      insertLearner: db.prepare(
        'INSERT INTO learners (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)'
      ),
      renameLearner: db.prepare('UPDATE learners SET name = ?, updated_at = ? WHERE id = ?'),
      insertOpen: db.prepare(
        'INSERT INTO lesson_opens (id, learner_id, lesson_id, opened_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'
      ),
      upsertSession: db.prepare(`
        INSERT OR REPLACE INTO lesson_sessions (learner_id, lesson_id, status, snapshot_json, content_hash,
          step_id, started_at, completed_at, score, passed, time_spent_ms, updated_at)
        VALUES (@learner_id, @lesson_id, @status, @snapshot_json, @content_hash, @step_id, @started_at,
          @completed_at, @score, @passed, @time_spent_ms, @updated_at)`),
      cutJournal: db.prepare<[string, string, number]>(
        'DELETE FROM lesson_journal WHERE learner_id = ? AND lesson_id = ? AND position >= ?'
      ),
      insertJournal: db.prepare<[string, string, number, string, string, number]>(`
        INSERT INTO lesson_journal (learner_id, lesson_id, position, entry_json, status, created_at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      insertEvent: db.prepare(`
        INSERT INTO step_events (id, learner_id, lesson_id, step_id, kind, data_json, at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      // DO NOTHING also covers an attempt with another id but the same number for the same
      // question (two machines): the store's first attempt stays the first attempt.
      insertAttempt: db.prepare(`
        INSERT INTO quiz_attempts (id, learner_id, lesson_id, step_id, question_id, kind, attempt_no,
          answer_json, justification, correct, score, hints_used, duration_ms, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      insertHint: db.prepare(`
        INSERT INTO hint_uses (id, learner_id, lesson_id, step_id, kind, level, at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      insertReview: db.prepare(`
        INSERT INTO review_items (id, learner_id, lesson_id, step_id, question_id, source, easiness,
          repetitions, interval_days, due_at, last_grade, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      updateReview: db.prepare(`
        UPDATE review_items SET easiness = ?, repetitions = ?, interval_days = ?, due_at = ?,
          last_grade = ?, updated_at = ?
        WHERE learner_id = ? AND lesson_id = ? AND question_id = ?`),
      upsertSetting: db.prepare(`
        INSERT OR REPLACE INTO learner_settings (learner_id, key, value_json, updated_at) VALUES (?, ?, ?, ?)`)
    }
  }

  /**
   * The learner's whole progress as the text of a progress file (the current format version).
   * A lab journal row too damaged to read is left out, as `journal.list` leaves it out.
   */
  exportProgress(learnerId: string): string {
    const s = this.#s
    const body = this.#ctx.read('export progress', () =>
      this.#ctx.db.transaction((): ProgressBody => {
        const l = s.learner.get(learnerId)
        if (!l) throw new StoreError('not-found', `No profile with id ${learnerId}.`)
        return {
          exportedAt: new Date(this.#ctx.now()).toISOString(),
          learner: { id: l.id, name: l.name, createdAt: l.created_at, updatedAt: l.updated_at },
          lessonOpens: s.opens
            .all(learnerId)
            .map((r) => ({ id: r.id, lessonId: r.lesson_id, openedAt: r.opened_at })),
          sessions: s.sessions.all(learnerId).map((r) => {
            const session = ownRecord(toSession(r))
            return {
              ...session,
              snapshot: session.snapshot as z.core.util.JSONType,
              journal: this.#journal.list(learnerId, r.lesson_id).map((e) => ({
                position: e.position,
                entry: e.entry as z.core.util.JSONType,
                status: e.status
              }))
            }
          }),
          events: s.events.all(learnerId).map((r) => {
            const event = ownRecord(toStepEvent(r))
            return { ...event, data: event.data as z.core.util.JSONType }
          }),
          attempts: s.attempts.all(learnerId).map((r) => {
            const { justification, ...attempt } = ownRecord(toAttempt(r))
            return {
              ...attempt,
              answer: attempt.answer as z.core.util.JSONType,
              ...(justification === null ? {} : { justification })
            }
          }),
          hintUses: s.hints.all(learnerId).map((r) => ownRecord(toHintUse(r))),
          reviewItems: s.reviews.all(learnerId).map((r) => ownRecord(toReviewItem(r))),
          settings: s.settings.all(learnerId).map((r) => ({
            key: r.key,
            value: parseJson(r.value_json) as z.core.util.JSONType,
            updatedAt: r.updated_at
          }))
        }
      })()
    )
    const file: ProgressFile = {
      format: PROGRESS_FORMAT,
      formatVersion: PROGRESS_FORMAT_VERSION,
      checksum: checksumOf(body),
      body
    }
    return JSON.stringify(file, null, 2) + '\n'
  }

  /**
   * Validates the whole file, then merges it by stable ids in one transaction. Append-only records
   * (openings, events, attempts, hints) are added when their id is new; a session takes the newer
   * snapshot while completion, best score and earliest dates are kept from both sides; review
   * items, settings and the profile name take whichever side was updated later. Merging is
   * idempotent: importing the same file again changes nothing. A session's lab journal goes with
   * its snapshot: when the file's snapshot wins, the lesson's journal becomes the file's.
   */
  importProgress(text: string): ImportReport {
    const { file, writtenIn } = parseProgressFile(text)
    return this.#merge(
      writtenIn < SPLIT_LESSON_FORMAT_VERSION
        ? ProgressTransfer.#splitAsMigration11Did(file, this.#ctx.now)
        : file
    )
  }

  /**
   * A file from before lesson `services-clusterip` was split, split as migration 11 split the
   * store: merged into an empty scratch store, split there by the migration's own step, and read
   * back. How the split is done stays in one place, the migration.
   */
  static #splitAsMigration11Did(file: ProgressFile, now: () => number): ProgressFile {
    const db = new Database(':memory:')
    try {
      db.pragma('foreign_keys = ON')
      migrate(db, ':memory:', now, () => {})
      const ctx = new StoreContext(db, ':memory:', now)
      const scratch = new ProgressTransfer(ctx, new JournalRepository(ctx))
      scratch.#merge(file)
      db.transaction(() => splitServicesLesson(db))()
      return parseProgressFile(scratch.exportProgress(file.body.learner.id)).file
    } finally {
      db.close()
    }
  }

  #merge(file: ProgressFile): ImportReport {
    const b = file.body
    const s = this.#s
    const lid = b.learner.id
    return this.#ctx.write('import progress', () => {
      const changes: ImportReport['changes'] = {
        learner: 0,
        lessonOpens: 0,
        sessions: 0,
        journal: 0,
        events: 0,
        attempts: 0,
        hintUses: 0,
        reviewItems: 0,
        settings: 0
      }
      const local = s.learner.get(lid)
      const owner = s.nameOwner.get(b.learner.name)
      const nameTaken = owner !== undefined && owner.id !== lid
      if (!local) {
        if (nameTaken) throw nameConflict(b.learner.name)
        changes.learner += s.insertLearner.run(
          lid,
          b.learner.name,
          b.learner.createdAt,
          b.learner.updatedAt
        ).changes
      } else if (b.learner.updatedAt > local.updated_at && b.learner.name !== local.name) {
        if (nameTaken) throw nameConflict(b.learner.name)
        changes.learner += s.renameLearner.run(b.learner.name, b.learner.updatedAt, lid).changes
      }
      for (const o of b.lessonOpens)
        changes.lessonOpens += s.insertOpen.run(o.id, lid, o.lessonId, o.openedAt).changes
      for (const incoming of b.sessions) {
        const mine = s.session.get(lid, incoming.lessonId)
        const merged = mergeSession(mine, lid, incoming)
        if (!mine || !sameRow(mine, merged)) changes.sessions += s.upsertSession.run(merged).changes
        // mergeSession takes the file's snapshot exactly when it is newer (or the only one).
        if (!mine || incoming.updatedAt > mine.updated_at) {
          changes.journal += this.#replaceJournal(lid, incoming.lessonId, incoming.journal)
        }
      }
      for (const e of b.events) {
        const data = e.data === null ? null : JSON.stringify(e.data)
        changes.events += s.insertEvent.run(e.id, lid, e.lessonId, e.stepId, e.kind, data, e.at).changes
      }
      for (const a of b.attempts) {
        changes.attempts += s.insertAttempt.run(
          a.id,
          lid,
          a.lessonId,
          a.stepId,
          a.questionId,
          a.kind,
          a.attemptNo,
          JSON.stringify(a.answer),
          a.justification ?? null,
          a.correct ? 1 : 0,
          a.score,
          a.hintsUsed,
          a.durationMs,
          a.at
        ).changes
      }
      for (const h of b.hintUses) {
        changes.hintUses += s.insertHint.run(h.id, lid, h.lessonId, h.stepId, h.kind, h.level, h.at).changes
      }
      for (const r of b.reviewItems) {
        const mine = s.review.get(lid, r.lessonId, r.questionId)
        if (!mine) {
          changes.reviewItems += s.insertReview.run(
            r.id,
            lid,
            r.lessonId,
            r.stepId,
            r.questionId,
            r.source,
            r.easiness,
            r.repetitions,
            r.intervalDays,
            r.dueAt,
            r.lastGrade,
            r.createdAt,
            r.updatedAt
          ).changes
        } else if (r.updatedAt > mine.updated_at) {
          changes.reviewItems += s.updateReview.run(
            r.easiness,
            r.repetitions,
            r.intervalDays,
            r.dueAt,
            r.lastGrade,
            r.updatedAt,
            lid,
            r.lessonId,
            r.questionId
          ).changes
        }
      }
      for (const st of b.settings) {
        const mine = s.setting.get(lid, st.key)
        if (!mine || st.updatedAt > mine.updated_at) {
          changes.settings += s.upsertSetting.run(lid, st.key, JSON.stringify(st.value), st.updatedAt).changes
        }
      }
      return { learnerId: lid, learnerCreated: !local, changes }
    })
  }

  /**
   * Makes the lesson's journal equal to `theirs`, rewriting only from the first position where the
   * two differ: after one machine carried on with the lab, only the new commands are written.
   * Returns the rows deleted plus the rows inserted.
   */
  #replaceJournal(learnerId: string, lessonId: string, theirs: readonly JournalEntry[]): number {
    const incoming = [...theirs].sort((a, b) => a.position - b.position)
    const mine = this.#journal.list(learnerId, lessonId)
    let i = 0
    while (i < mine.length && i < incoming.length && sameJournalEntry(mine[i]!, incoming[i]!)) i++
    // Rows the store could not read differ from anything the file holds.
    const cut = Math.min(
      mine[i]?.position ?? Infinity,
      incoming[i]?.position ?? Infinity,
      ...mine.skipped.map((row) => row.position)
    )
    if (cut === Infinity) return 0
    let changed = this.#s.cutJournal.run(learnerId, lessonId, cut).changes
    const now = this.#ctx.now()
    for (const e of incoming) {
      if (e.position < cut) continue
      changed += this.#s.insertJournal.run(
        learnerId,
        lessonId,
        e.position,
        JSON.stringify(e.entry),
        e.status,
        now
      ).changes
    }
    return changed
  }
}

function sameJournalEntry(a: JournalEntry, b: JournalEntry): boolean {
  return (
    a.position === b.position && a.status === b.status && canonicalJson(a.entry) === canonicalJson(b.entry)
  )
}

function nameConflict(name: string): ImportError {
  return new ImportError([
    {
      path: 'body.learner.name',
      message: `another profile on this machine is already named "${name}"; rename one of them and import again`
    }
  ])
}

/** Both sides' facts survive: the newer snapshot, the first start and completion, the best score. */
function mergeSession(
  mine: SessionRow | undefined,
  learnerId: string,
  incoming: ProgressBody['sessions'][number]
): SessionRow {
  // The journal travels beside the row, see #replaceJournal.
  const theirs: SessionRow = {
    learner_id: learnerId,
    lesson_id: incoming.lessonId,
    status: incoming.status,
    snapshot_json: JSON.stringify(incoming.snapshot),
    content_hash: incoming.contentHash,
    step_id: incoming.stepId,
    started_at: incoming.startedAt,
    completed_at: incoming.completedAt,
    score: incoming.score,
    passed: incoming.passed === null ? null : incoming.passed ? 1 : 0,
    time_spent_ms: incoming.timeSpentMs,
    updated_at: incoming.updatedAt
  }
  if (!mine) return theirs
  const newer = theirs.updated_at > mine.updated_at ? theirs : mine
  const maxOrNull = (a: number | null, b: number | null): number | null =>
    a === null ? b : b === null ? a : Math.max(a, b)
  const minOrNull = (a: number | null, b: number | null): number | null =>
    a === null ? b : b === null ? a : Math.min(a, b)
  return {
    ...newer,
    status: mine.status === 'completed' || theirs.status === 'completed' ? 'completed' : 'in-progress',
    started_at: Math.min(mine.started_at, theirs.started_at),
    completed_at: minOrNull(mine.completed_at, theirs.completed_at),
    score: maxOrNull(mine.score, theirs.score),
    passed: maxOrNull(mine.passed, theirs.passed),
    time_spent_ms: Math.max(mine.time_spent_ms, theirs.time_spent_ms)
  }
}

function sameRow(a: SessionRow, b: SessionRow): boolean {
  return (Object.keys(a) as (keyof SessionRow)[]).every((k) => a[k] === b[k])
}

/** Parses and checks everything before the store is touched; throws ImportError listing every issue. */
function parseProgressFile(text: string): { file: ProgressFile; writtenIn: number } {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    const at = findJsonSyntaxError(text)
    throw new ImportError([
      at
        ? {
            path: '(file)',
            message: `not valid JSON: ${at.message}`,
            line: at.line,
            column: at.column,
            byteOffset: at.byteOffset
          }
        : { path: '(file)', message: 'not valid JSON' }
    ])
  }
  const head = raw as { format?: unknown; formatVersion?: unknown } | null
  if (typeof head !== 'object' || head === null || head.format !== PROGRESS_FORMAT) {
    throw new ImportError([
      { path: 'format', message: `expected "${PROGRESS_FORMAT}": this is not a Podnet Lab progress file` }
    ])
  }
  if (typeof head.formatVersion === 'number' && head.formatVersion > PROGRESS_FORMAT_VERSION) {
    throw new ImportError([
      {
        path: 'formatVersion',
        message: `version ${head.formatVersion} was written by a newer Podnet Lab; this one reads version ${PROGRESS_FORMAT_VERSION}`
      }
    ])
  }
  // A version-1 file comes back upgraded: its sessions' inline journals moved out of the snapshots.
  const parsed = parseProgressFileJson(raw)
  if (!parsed.success) {
    throw new ImportError(parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })))
  }
  const file = parsed.data
  const actual = checksumOf((raw as { body: unknown }).body)
  if (actual !== file.checksum) {
    throw new ImportError([
      {
        path: 'checksum',
        message: `the body does not match the checksum (file says ${file.checksum}, content gives ${actual}): it was edited or damaged after export`
      }
    ])
  }
  const issues = duplicateIssues(file.body)
  if (issues.length > 0) throw new ImportError(issues)
  return { file, writtenIn: parsed.writtenIn }
}

/** `['body', 'attempts', 3, 'score']` → `body.attempts[3].score`. */
function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') ||
    '(file)'
  )
}

/** Keys the store treats as unique must be unique in the file too, or merging would be ambiguous. */
function duplicateIssues(body: ProgressBody): ImportIssue[] {
  const issues: ImportIssue[] = []
  const check = <T>(list: readonly T[], name: string, key: (item: T) => string, what: string): void => {
    const seen = new Map<string, number>()
    list.forEach((item, index) => {
      const k = key(item)
      const first = seen.get(k)
      if (first === undefined) seen.set(k, index)
      else issues.push({ path: `body.${name}[${index}]`, message: `${what} repeats body.${name}[${first}]` })
    })
  }
  check(body.lessonOpens, 'lessonOpens', (o) => o.id, 'id')
  check(body.sessions, 'sessions', (x) => x.lessonId, 'lessonId')
  body.sessions.forEach((session, index) =>
    check(session.journal, `sessions[${index}].journal`, (e) => String(e.position), 'position')
  )
  check(body.events, 'events', (e) => e.id, 'id')
  check(body.attempts, 'attempts', (a) => a.id, 'id')
  check(
    body.attempts,
    'attempts',
    (a) => `${a.lessonId}\u0000${a.questionId}\u0000${a.attemptNo}`,
    '(lessonId, questionId, attemptNo)'
  )
  check(body.hintUses, 'hintUses', (h) => h.id, 'id')
  check(body.reviewItems, 'reviewItems', (r) => r.id, 'id')
  check(
    body.reviewItems,
    'reviewItems',
    (r) => `${r.lessonId}\u0000${r.questionId}`,
    '(lessonId, questionId)'
  )
  check(body.settings, 'settings', (x) => x.key, 'key')
  return issues
}
