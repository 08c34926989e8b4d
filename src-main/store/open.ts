import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync
} from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { isCorruptionError, type StoreError, toStoreError } from './errors.ts'
import { inspectFile, PROGRESS_APPLICATION_ID, type FileVerdict } from './identity.ts'
import { migrate, schemaTooNew } from './migrations.ts'

export interface OpenOptions {
  /** The clock every stored time comes from (ms since the epoch); tests pass a fake one. */
  now: () => number
  /**
   * Path to a better-sqlite3 build for Electron's ABI. Used only when `process.versions.electron`
   * is set, so plain Node (tests, CLI, web host) always loads the build `npm ci` made.
   */
  nativeBinding?: string
  /**
   * `normal` (default): a write that returned survives a crash or kill of the process, since in WAL
   * mode the commit is in the OS's page cache before the call returns; a power cut can lose the last
   * commits but never corrupts the file. `full` also fsyncs the WAL on every commit, which survives
   * power loss at the price of one fsync per write (`npm run bench` shows both).
   */
  durability?: 'normal' | 'full'
  /** How long a write waits for another process's lock before failing with `busy`. */
  busyTimeoutMs?: number
}

/** Why the file at the store's path was set aside. */
export type RecoveryReason =
  | 'not-a-database'
  | 'corrupt'
  | 'directory'
  /** A 0-byte file. */
  | 'empty'
  /** Another program's SQLite database. */
  | 'foreign'
  /** Our file, but its tables do not match the migrations it records. */
  | 'schema-mismatch'

/** Reported when the file at the store's path was unusable and a fresh store started instead. */
export interface Recovery {
  /** Where the old file (or directory) now lives, next to the store's path. */
  movedTo: string
  reason: RecoveryReason
  /** SQLite's or the integrity check's own words, for a support request. */
  detail: string
}

export interface OpenedDatabase {
  db: Database.Database
  recovered: Recovery | null
  migration: { from: number; to: number; backup: string | null }
}

/** Sets aside what cannot be opened or is not ours, migrates what can; only I/O trouble and newer files throw. */
export function openDatabase(file: string, options: OpenOptions): OpenedDatabase {
  const inMemory = file === ':memory:'
  let recovered: Recovery | null = null
  if (!inMemory) {
    try {
      mkdirSync(dirname(file), { recursive: true })
    } catch (error) {
      throw toStoreError(error, file, 'create the progress folder')
    }
    const found = existingEntry(file)
    if (found === 'directory') {
      recovered = moveAside(
        file,
        options.now(),
        'directory',
        'a directory stood where the progress file belongs'
      )
    } else if (found === 'empty') {
      // SQLite would quietly build a new store in it; setting it aside keeps any WAL beside it,
      // which may hold the progress the empty file lost, and gives the learner a notice.
      recovered = moveAside(file, options.now(), 'empty', 'the progress file was empty (0 bytes)')
    }
  }
  let db = connectOrSetAside(file, inMemory, options, (r) => (recovered = r))
  let verdict: FileVerdict
  try {
    verdict = inspectFile(db)
  } catch (error) {
    db.close()
    throw openFailure(error, file)
  }
  if (verdict.kind === 'newer') {
    db.close()
    throw schemaTooNew(file, verdict.version)
  }
  if (verdict.kind === 'foreign' || verdict.kind === 'schema-mismatch') {
    const unusable = db
    recovered = moveAside(file, options.now(), verdict.kind, verdict.detail, () => unusable.close())
    db = connectFresh(file, options)
  }
  try {
    const migration = migrateWithBackup(db, file, inMemory, options.now)
    if ((db.pragma('application_id', { simple: true }) as number) !== PROGRESS_APPLICATION_ID) {
      db.pragma(`application_id = ${PROGRESS_APPLICATION_ID}`)
    }
    configure(db, options)
    return { db, recovered, migration }
  } catch (error) {
    db.close()
    throw openFailure(error, file)
  }
}

function existingEntry(file: string): 'directory' | 'empty' | 'file' | 'none' {
  try {
    const stat = statSync(file)
    if (stat.isDirectory()) return 'directory'
    return stat.isFile() && stat.size === 0 ? 'empty' : 'file'
  } catch {
    return 'none'
  }
}

/** Opens the file; one that fails its check is set aside (reported through `setAside`) for a fresh one. */
function connectOrSetAside(
  file: string,
  inMemory: boolean,
  options: OpenOptions,
  setAside: (recovery: Recovery) => void
): Database.Database {
  try {
    return connect(file, options)
  } catch (error) {
    const failed = error instanceof CheckFailed ? error : null
    const cause = failed ? failed.cause : error
    if (inMemory || !isCorruptionError(cause)) {
      failed?.db.close()
      throw openFailure(cause, file)
    }
    setAside(
      moveAside(file, options.now(), reasonOf(cause), (cause as Error).message, () => failed?.db.close())
    )
    return connectFresh(file, options)
  }
}

function connectFresh(file: string, options: OpenOptions): Database.Database {
  try {
    return connect(file, options)
  } catch (fresh) {
    if (fresh instanceof CheckFailed) fresh.db.close()
    throw openFailure(fresh instanceof CheckFailed ? fresh.cause : fresh, file)
  }
}

/**
 * SQLite says only "unable to open database file"; asking the folder itself whether it is writable
 * turns that into "read-only file system" or "permission denied", which a learner can act on.
 */
function openFailure(error: unknown, file: string): StoreError {
  const code = (error as { code?: unknown } | null)?.code
  if (
    typeof code === 'string' &&
    (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY'))
  ) {
    try {
      accessSync(dirname(file), constants.W_OK)
    } catch (probe) {
      return toStoreError(probe, file, 'open the progress store')
    }
  }
  return toStoreError(error, file, 'open the progress store')
}

/** Opens and proves the file readable: a failed quick_check counts as corruption too. */
function connect(file: string, options: OpenOptions): Database.Database {
  const nativeBinding = process.versions.electron ? options.nativeBinding : undefined
  const db = new Database(file, {
    timeout: options.busyTimeoutMs ?? 5000,
    ...(nativeBinding === undefined ? {} : { nativeBinding })
  })
  try {
    const problems = db.pragma('quick_check', { simple: false }) as { quick_check: string }[]
    if (problems[0]?.quick_check !== 'ok') {
      throw new CorruptFileError(problems.map((p) => p.quick_check).join('; '))
    }
    db.pragma('foreign_keys = ON')
    return db
  } catch (error) {
    // The handle stays open until the file is set aside: closing it deletes the WAL beside the
    // file, which may hold the learner's most recent progress.
    throw new CheckFailed(db, error)
  }
}

class CheckFailed extends Error {
  constructor(
    readonly db: Database.Database,
    override readonly cause: unknown
  ) {
    super('the progress file failed its check on open', { cause })
  }
}

class CorruptFileError extends Error {
  readonly code = 'SQLITE_CORRUPT'
}

function reasonOf(error: unknown): RecoveryReason {
  return (error as { code?: string }).code?.startsWith('SQLITE_NOTADB') ? 'not-a-database' : 'corrupt'
}

function migrateWithBackup(
  db: Database.Database,
  file: string,
  inMemory: boolean,
  now: () => number
): OpenedDatabase['migration'] {
  let backup: string | null = null
  const result = migrate(db, file, now, (from) => {
    // A brand-new file has nothing to lose; an existing one is copied first so a migration bug can
    // be undone by hand. VACUUM INTO writes a consistent copy even with a WAL beside the file.
    if (from === 0 || inMemory) return
    backup = uniquePath(`${file}.pre-migration-v${from}-${stamp(now())}.bak`)
    db.prepare('VACUUM INTO ?').run(backup)
  })
  return { ...result, backup }
}

function configure(db: Database.Database, options: OpenOptions): void {
  db.pragma('journal_mode = WAL')
  // See OpenOptions.durability for why NORMAL is enough for "saved means saved" under WAL.
  db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`)
}

/**
 * Moves the file to `<file>.damaged-<time>` and keeps its WAL/SHM/journal siblings beside it as
 * `…-wal` etc. The siblings are copied before `closeFailed` runs (SQLite deletes them on close),
 * and whatever is left is removed so the fresh store cannot pick up the old file's journal.
 */
function moveAside(
  file: string,
  nowMs: number,
  reason: RecoveryReason,
  detail: string,
  closeFailed: () => void = () => {}
): Recovery {
  const movedTo = uniquePath(`${file}.damaged-${stamp(nowMs)}`)
  const siblings = ['-wal', '-shm', '-journal']
  try {
    try {
      for (const suffix of siblings) {
        if (existsSync(file + suffix)) copyFileSync(file + suffix, movedTo + suffix)
      }
    } finally {
      closeFailed()
    }
    renameSync(file, movedTo)
    for (const suffix of siblings) rmSync(file + suffix, { force: true })
  } catch (error) {
    throw toStoreError(error, file, 'set the damaged progress file aside')
  }
  return { movedTo, reason, detail }
}

/** `2026-11-25T18:47:36.123Z` → `20261125T184736123Z`: sortable and valid in every file system. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '')
}

function uniquePath(path: string): string {
  let candidate = path
  for (let n = 2; existsSync(candidate); n++) candidate = `${path}-${n}`
  return candidate
}
