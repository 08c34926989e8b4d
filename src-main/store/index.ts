/**
 * The progress store: everything a learner has done, in one SQLite file per data directory.
 * `openProgressStore` is the only way in; the API service opens one store per process and closes it
 * on shutdown. See README.md in this folder for the durability contract and the file formats.
 */
import { AttemptsRepository } from './attempts.ts'
import { ClassesRepository } from './classes.ts'
import { StoreContext } from './context.ts'
import { AttemptsCsv } from './csv.ts'
import { EventsRepository } from './events.ts'
import { HintsRepository } from './hints.ts'
import { JournalRepository } from './journal.ts'
import { LessonOpensRepository } from './lesson-opens.ts'
import { openDatabase, type OpenOptions, type Recovery } from './open.ts'
import { ProfilesRepository } from './profiles.ts'
import { resetProgress, type ProgressTable } from './reset.ts'
import { ReviewRepository } from './review.ts'
import { SessionsRepository } from './sessions.ts'
import { SettingsRepository } from './settings.ts'
import { SummaryQueries } from './summary.ts'
import { ProgressTransfer, type ImportReport } from './transfer.ts'
import { XapiExport, type XapiOptions, type XapiStatement } from './xapi.ts'

export type { AttemptInput, AttemptsRepository, QuizAttempt } from './attempts.ts'
export type { ClassAttempt, ClassesRepository, ClassMember, ClassReportRow, TokenHolder } from './classes.ts'
export { StoreError } from './errors.ts'
export {
  LESSON_COMPLETED,
  type EventsRepository,
  type LessonCompletedData,
  type StepEvent
} from './events.ts'
export type { HintsRepository } from './hints.ts'
export type { JournalRepository } from './journal.ts'
export type { LessonOpensRepository } from './lesson-opens.ts'
export { latestVersion as schemaVersion } from './migrations.ts'
export type { OpenOptions, Recovery, RecoveryReason } from './open.ts'
export type { ProfilesRepository } from './profiles.ts'
export type { ReviewItem, ReviewRepository } from './review.ts'
export type { LessonSession, SessionsRepository } from './sessions.ts'
export { sm2 } from './sm2.ts'
export type { LessonProgress, LessonTopics, TopicMastery } from './summary.ts'
export { ImportError, type ImportIssue, type ImportReport } from './transfer.ts'
export { isoDuration, uuidV5 } from './xapi.ts'
export type { XapiOptions, XapiStatement } from './xapi.ts'

export interface StoreDiagnostics {
  /** `wal` for a file store (`memory` for `:memory:`). */
  journalMode: string
  synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'
  schemaVersion: number
}

/** What opening found, beside the store itself. */
export interface OpenedStore {
  store: ProgressStore
  /**
   * Set when the file at the path could not be read as a progress store and was moved aside so a
   * fresh one could start; the UI must tell the learner (their old progress is in `movedTo`).
   */
  recovered: Recovery | null
  /** Schema versions before and after opening; `backup` is the copy taken before migrating. */
  migration: { from: number; to: number; backup: string | null }
}

export interface ProgressStore {
  /** The database file's path (`:memory:` for a throw-away store). */
  readonly file: string
  readonly profiles: ProfilesRepository
  /** "Lesson opened" records for the Progress page. */
  readonly lessonOpens: LessonOpensRepository
  readonly sessions: SessionsRepository
  /**
   * Each lesson's lab journal, one row per command or trace: `append`, `markStopped`, `list`,
   * `truncate`, `length`. Replaying it rebuilds the lab; the session snapshot holds only the machine.
   */
  readonly journal: JournalRepository
  readonly events: EventsRepository
  readonly attempts: AttemptsRepository
  readonly hints: HintsRepository
  readonly review: ReviewRepository
  readonly settings: SettingsRepository
  /** Instructor-led classes: members (profiles joined by code, tokens kept hashed), lesson gates, class-wide reads. */
  readonly classes: ClassesRepository
  /**
   * `progressSummary(learnerId, topicsByLesson)`: per-lesson status and score, per-topic mastery
   * (mean first-attempt score per topic tag, each question counted under its own tag or else its
   * lesson's); `classReport(topicsByLesson)`: every learner's summary.
   */
  readonly summary: SummaryQueries
  /** The learner's progress as a versioned, checksummed JSON file (text). */
  exportProgress(learnerId: string): string
  /** Validates the whole file, then merges it in one transaction; throws ImportError (nothing changed). */
  importProgress(text: string): ImportReport
  /** Quiz and prediction attempts as RFC 4180 CSV; the whole class when `learnerId` is omitted. */
  exportAttemptsCsv(learnerId?: string): string
  /** The learner's progress as xAPI statements (attempted, answered, completed, passed, failed). */
  exportXapi(learnerId: string, options?: XapiOptions): XapiStatement[]
  /**
   * Deletes one learner's lesson openings, sessions, lab journals, events, answers, hints and review
   * items (not the profile or settings); returns the rows removed per table.
   */
  resetProgress(learnerId: string): Record<ProgressTable, number>
  /** Runs `fn` in one transaction: several repository calls commit together or not at all. */
  transaction<T>(fn: () => T): T
  /** What the About page and support requests need to know about the open file. */
  diagnostics(): StoreDiagnostics
  /** `['ok']` for a sound file; SQLite's list of problems otherwise. */
  integrityCheck(): string[]
  close(): void
}

/**
 * Opens (creating if needed) the progress store at `file`: WAL journal, the chosen durability,
 * migrations applied (after a backup copy of an existing file). Never throws for a damaged file:
 * it is moved aside and reported in the result's `recovered`. Throws StoreError `schema-too-new` for a file
 * from a newer app, and `read-only`/`disk-full`/`io` when the file cannot be opened or created.
 */
export function openProgressStore(file: string, options: OpenOptions): OpenedStore {
  const { db, recovered, migration } = openDatabase(file, options)
  const ctx = new StoreContext(db, file, options.now)
  const review = new ReviewRepository(ctx)
  const journal = new JournalRepository(ctx)
  const transfer = new ProgressTransfer(ctx, journal)
  const csv = new AttemptsCsv(ctx)
  const xapi = new XapiExport(ctx)
  const store: ProgressStore = {
    file,
    profiles: new ProfilesRepository(ctx),
    lessonOpens: new LessonOpensRepository(ctx),
    sessions: new SessionsRepository(ctx),
    journal,
    events: new EventsRepository(ctx),
    attempts: new AttemptsRepository(ctx, review),
    hints: new HintsRepository(ctx),
    review,
    settings: new SettingsRepository(ctx),
    classes: new ClassesRepository(ctx),
    summary: new SummaryQueries(ctx),
    exportProgress: (learnerId) => transfer.exportProgress(learnerId),
    importProgress: (text) => transfer.importProgress(text),
    exportAttemptsCsv: (learnerId) => csv.export(learnerId),
    exportXapi: (learnerId, xapiOptions) => xapi.export(learnerId, xapiOptions),
    resetProgress: (learnerId) => resetProgress(ctx, learnerId),
    transaction: (fn) => ctx.write('save changes', fn),
    diagnostics: () => ({
      journalMode: db.pragma('journal_mode', { simple: true }) as string,
      synchronous: (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[
        db.pragma('synchronous', { simple: true }) as number
      ]!,
      schemaVersion: migration.to
    }),
    integrityCheck: () =>
      (db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]).map(
        (r) => r.integrity_check
      ),
    close: () => db.close()
  }
  return { store, recovered, migration }
}
