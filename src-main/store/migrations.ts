import { randomInt } from 'node:crypto'
import type Database from 'better-sqlite3'
import { StoreError } from './errors.ts'
import { decodeSnapshot } from './sessions.ts'
import { splitServicesLesson } from './split-services-lesson.ts'

/**
 * One forward-only schema step. Versions are consecutive from 1; a released migration is never
 * edited, only followed by a new one, because learners' files were built by the old text.
 */
export interface Migration {
  version: number
  name: string
  sql: string
  /**
   * Row rewrites SQL alone cannot express (parsing JSON columns), run after `sql` inside the same
   * transaction. It must use raw statements only, never a repository: repositories follow the
   * latest schema, while this code must keep working on the schema of its own version.
   */
  data?: (db: Database.Database, now: number) => void
}

/** Times are integer milliseconds since the epoch from the injected clock; JSON columns end in `_json`. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'profiles, settings and lesson opens',
    sql: `
      CREATE TABLE learners (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- Shared classroom PCs list profiles by name, so two that differ only in case would confuse.
      CREATE UNIQUE INDEX learners_name ON learners (name COLLATE NOCASE);

      CREATE TABLE global_settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE learner_settings (
        learner_id TEXT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value_json TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (learner_id, key)
      ) WITHOUT ROWID;

      -- One row per opening (not a counter) so that merging two machines' exports by id is exact.
      CREATE TABLE lesson_opens (
        id TEXT PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
        lesson_id TEXT NOT NULL,
        opened_at INTEGER NOT NULL
      );
      CREATE INDEX lesson_opens_learner ON lesson_opens (learner_id, lesson_id, opened_at);
    `
  },
  {
    version: 2,
    name: 'lesson sessions, step events, quiz attempts and hint use',
    sql: `
      CREATE TABLE lesson_sessions (
        learner_id TEXT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
        lesson_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('in-progress', 'completed')),
        content_hash TEXT NOT NULL,
        step_id TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        completed_at INTEGER,
        score REAL CHECK (score IS NULL OR score BETWEEN 0 AND 1),
        passed INTEGER CHECK (passed IS NULL OR passed IN (0, 1)),
        time_spent_ms INTEGER NOT NULL DEFAULT 0 CHECK (time_spent_ms >= 0),
        updated_at INTEGER NOT NULL,
        -- Last and in a rowid table: summaries read the columns before it and never touch the
        -- overflow pages of a large snapshot.
        snapshot_json TEXT NOT NULL,
        PRIMARY KEY (learner_id, lesson_id)
      );

      -- The hottest table: one row per learner action, each its own durable commit. A single
      -- B-tree (no rowid, no extra index) halves the pages each commit writes; ids are UUIDv7, so
      -- the key also keeps a lesson's events in the order they happened.
      CREATE TABLE step_events (
        learner_id TEXT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
        lesson_id TEXT NOT NULL,
        id TEXT NOT NULL,
        step_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        data_json TEXT,
        at INTEGER NOT NULL,
        PRIMARY KEY (learner_id, lesson_id, id)
      ) WITHOUT ROWID;

      CREATE TABLE quiz_attempts (
        id TEXT PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
        lesson_id TEXT NOT NULL,
        step_id TEXT NOT NULL,
        question_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('quiz', 'prediction')),
        attempt_no INTEGER NOT NULL CHECK (attempt_no >= 1),
        answer_json TEXT NOT NULL,
        correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
        score REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
        hints_used INTEGER NOT NULL DEFAULT 0 CHECK (hints_used >= 0),
        duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
        at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX quiz_attempts_number
        ON quiz_attempts (learner_id, lesson_id, question_id, attempt_no);
      -- Covers the summaries' "first attempts per lesson" scan without touching the table.
      CREATE INDEX quiz_first_attempts ON quiz_attempts (learner_id, lesson_id, score) WHERE attempt_no = 1;

      CREATE TABLE hint_uses (
        id TEXT PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
        lesson_id TEXT NOT NULL,
        step_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('static', 'dynamic', 'solution')),
        level INTEGER NOT NULL CHECK (level >= 0),
        at INTEGER NOT NULL
      );
      CREATE INDEX hint_uses_learner ON hint_uses (learner_id, lesson_id, step_id);
    `
  },
  {
    version: 3,
    name: 'spaced-review queue (SM-2)',
    sql: `
      CREATE TABLE review_items (
        id TEXT PRIMARY KEY,
        learner_id TEXT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
        lesson_id TEXT NOT NULL,
        step_id TEXT NOT NULL,
        question_id TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('quiz', 'prediction')),
        easiness REAL NOT NULL CHECK (easiness >= 1.3),
        repetitions INTEGER NOT NULL CHECK (repetitions >= 0),
        interval_days INTEGER NOT NULL CHECK (interval_days >= 0),
        due_at INTEGER NOT NULL,
        last_grade INTEGER CHECK (last_grade IS NULL OR last_grade BETWEEN 0 AND 5),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX review_items_question ON review_items (learner_id, lesson_id, question_id);
      CREATE INDEX review_items_due ON review_items (learner_id, due_at);
    `
  },
  {
    version: 4,
    name: 'classes: learners joined to an instructor-led class, lesson gates',
    sql: `
      CREATE TABLE classes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        join_code TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        created_at INTEGER NOT NULL,
        closed_at INTEGER
      );
      -- A code names one open class; closed classes may have used it before.
      CREATE UNIQUE INDEX classes_open_code ON classes (join_code) WHERE status = 'open';

      -- Only the SHA-256 of a learner token is kept, so a copied database file grants no access.
      CREATE TABLE class_learners (
        class_id TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
        learner_id TEXT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
        display_name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (class_id, learner_id)
      );
      CREATE UNIQUE INDEX class_learners_name ON class_learners (class_id, display_name COLLATE NOCASE);

      CREATE TABLE class_lessons (
        class_id TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
        lesson_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('enabled', 'locked')),
        PRIMARY KEY (class_id, lesson_id)
      ) WITHOUT ROWID;
    `
  },
  {
    version: 5,
    name: 'lab journal: one row per command or trace, out of the session snapshot',
    sql: `
      -- Append-only: a command adds one row instead of rewriting the whole journal inside
      -- snapshot_json. Positions run 0..n-1 per lesson; the key keeps them in order, and the
      -- table has no rowid because every read and write goes through that key.
      CREATE TABLE lesson_journal (
        learner_id TEXT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
        lesson_id TEXT NOT NULL,
        position INTEGER NOT NULL CHECK (position >= 0),
        entry_json TEXT NOT NULL,
        -- 'stopped': ran over its CPU budget; kept so the learner sees it, never replayed.
        status TEXT NOT NULL CHECK (status IN ('ok', 'stopped')),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (learner_id, lesson_id, position)
      ) WITHOUT ROWID;
    `,
    data: moveJournalsOutOfSnapshots
  },
  {
    version: 6,
    name: 'classes: the state of lessons added to the course later',
    sql: `
      -- Gates listed per lesson are explicit; this decides a lesson that has no row yet (a lesson
      -- or pack added after the class started). Before it, an empty list meant every lesson open
      -- and a non-empty one an allow-list, so existing classes keep exactly what they meant.
      ALTER TABLE classes ADD COLUMN new_lessons TEXT NOT NULL DEFAULT 'enabled'
        CHECK (new_lessons IN ('enabled', 'locked'));
      UPDATE classes SET new_lessons = 'locked'
        WHERE EXISTS (SELECT 1 FROM class_lessons g WHERE g.class_id = classes.id);
    `
  },
  {
    version: 7,
    name: 'classes: a seat code per learner, to get back in from any browser',
    sql: `
      -- In the clear, unlike the token: the instructor's dashboard lists it to read out. It only
      -- works together with the join code of a class that is open, and the join limit stops guessing.
      ALTER TABLE class_learners ADD COLUMN seat_code TEXT NOT NULL DEFAULT '';
    `,
    data: giveEveryLearnerASeatCode
  },
  {
    version: 8,
    name: 'classes: seat codes unique within their class',
    // Its own step after the codes were drawn: the index is part of the schema the file is checked
    // against, and a step's data code runs only after its SQL.
    sql: `CREATE UNIQUE INDEX class_learners_seat ON class_learners (class_id, seat_code);`
  },
  {
    version: 9,
    name: 'attempts: the reason a prediction gave',
    sql: `
      -- A column of its own rather than inside answer_json: the answer stays the value the grader
      -- compares, which distributions group by, and the reason (an option id) reads on its own.
      ALTER TABLE quiz_attempts ADD COLUMN justification TEXT;
    `
  },
  {
    version: 10,
    name: 'classes: a student ID asked at join',
    sql: `
      ALTER TABLE classes ADD COLUMN student_id TEXT NOT NULL DEFAULT 'optional'
        CHECK (student_id IN ('optional', 'required'));
      ALTER TABLE class_learners ADD COLUMN student_id TEXT NOT NULL DEFAULT '';
    `
  },
  {
    version: 11,
    name: 'lesson services-clusterip split: its second half is lesson service-connections',
    // Lesson ids are data, not schema: nothing but the rows changes.
    sql: '',
    data: splitServicesLesson
  }
]

export const latestVersion = migrations.at(-1)!.version

/** The table that records which migrations a file has; part of every file's schema. */
export const schemaMigrationsSql = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`

/**
 * A session snapshot from before migration 5 carries the lab journal inline as
 * `{ machine, journal: [...], stepJournalStart }`. Returns the snapshot without `journal` (every
 * other key kept as it was) and the journal, or null when `value` is not such a snapshot. Part of
 * migration 5 and of importing version-1 progress files: never edit, only add.
 */
export function splitLegacySnapshot(
  value: unknown
): { snapshot: Record<string, unknown>; journal: unknown[] } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const { journal, ...snapshot } = value as Record<string, unknown>
  return Array.isArray(journal) ? { snapshot, journal: journal as unknown[] } : null
}

/**
 * Migration 5's data step: each session's inline journal becomes rows 0..n-1 (status 'ok') and
 * the snapshot is rewritten without it. A snapshot that is not valid JSON or holds no journal
 * array is left byte-for-byte as it is: progress the app cannot read is still the learner's.
 */
function moveJournalsOutOfSnapshots(db: Database.Database, now: number): void {
  // Keys first, then one snapshot at a time: better-sqlite3 allows no writes while a query is
  // being iterated, and loading every snapshot at once could take hundreds of megabytes. A session
  // whose learner is missing (only possible if foreign keys were ever off) is left as it is
  // rather than failing the migration on the journal's foreign key.
  const keys = db
    .prepare<[], { learner_id: string; lesson_id: string }>(
      `SELECT s.learner_id, s.lesson_id FROM lesson_sessions s JOIN learners l ON l.id = s.learner_id
       ORDER BY s.learner_id, s.lesson_id`
    )
    .all()
  const get = db.prepare<[string, string], { snapshot_json: string }>(
    'SELECT snapshot_json FROM lesson_sessions WHERE learner_id = ? AND lesson_id = ?'
  )
  const insert = db.prepare<[string, string, number, string, number]>(
    `INSERT INTO lesson_journal (learner_id, lesson_id, position, entry_json, status, created_at)
     VALUES (?, ?, ?, ?, 'ok', ?)`
  )
  const update = db.prepare<[string, string, string]>(
    'UPDATE lesson_sessions SET snapshot_json = ? WHERE learner_id = ? AND lesson_id = ?'
  )
  for (const { learner_id, lesson_id } of keys) {
    const row = get.get(learner_id, lesson_id)
    if (!row) continue
    const split = splitLegacySnapshot(decodeSnapshot(row.snapshot_json))
    if (!split) continue
    split.journal.forEach((entry, position) => {
      insert.run(learner_id, lesson_id, position, JSON.stringify(entry), now)
    })
    update.run(JSON.stringify(split.snapshot), learner_id, lesson_id)
  }
}

/**
 * Migration 7's data step: each existing class learner gets a seat code unique in their class,
 * drawn like a join code (six of 31 unambiguous symbols); migration 8 then keeps them unique.
 */
function giveEveryLearnerASeatCode(db: Database.Database): void {
  const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
  const draw = (): string => Array.from({ length: 6 }, () => alphabet[randomInt(alphabet.length)]).join('')
  const members = db
    .prepare<[], { class_id: string; learner_id: string }>(
      'SELECT class_id, learner_id FROM class_learners ORDER BY class_id, joined_at, learner_id'
    )
    .all()
  const taken = new Map<string, Set<string>>()
  const update = db.prepare<[string, string, string]>(
    'UPDATE class_learners SET seat_code = ? WHERE class_id = ? AND learner_id = ?'
  )
  for (const { class_id, learner_id } of members) {
    const used = taken.get(class_id) ?? new Set<string>()
    taken.set(class_id, used)
    let code = draw()
    while (used.has(code)) code = draw()
    used.add(code)
    update.run(code, class_id, learner_id)
  }
}

export function schemaTooNew(file: string, version: number): StoreError {
  return new StoreError(
    'schema-too-new',
    `The progress file ${file} was written by a newer version of Podnet Lab (schema version ${version}; this version understands up to ${latestVersion}). Update Podnet Lab to open it; the file was left unchanged.`
  )
}

/** The highest applied version, 0 for a brand-new file. */
function currentVersion(db: Database.Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get()
  if (!table) return 0
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }
  return row.v ?? 0
}

/**
 * Applies every migration above the file's version, each in its own transaction together with its
 * row in `schema_migrations`, so a kill mid-way leaves the file at a consistent earlier version.
 * A file from a newer app is refused rather than touched: downgrading would lose its data.
 */
export function migrate(
  db: Database.Database,
  file: string,
  now: () => number,
  beforeFirst: (from: number) => void
): { from: number; to: number } {
  // Nothing is written before this check, so a newer app's file stays byte-for-byte intact.
  const from = currentVersion(db)
  if (from > latestVersion) throw schemaTooNew(file, from)
  const pending = migrations.filter((m) => m.version > from)
  if (pending.length === 0) return { from, to: from }
  beforeFirst(from)
  db.exec(schemaMigrationsSql)
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  for (const migration of pending) {
    db.transaction(() => {
      db.exec(migration.sql)
      migration.data?.(db, now())
      record.run(migration.version, migration.name, now())
    })()
  }
  return { from, to: latestVersion }
}
