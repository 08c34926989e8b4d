/**
 * Why a store operation failed, as a stable code the API maps to its error envelope and the
 * renderer localises; `message` is an English sentence for logs and for authors.
 */
export type StoreErrorCode =
  /** The data directory or file cannot be written (read-only mount, permissions). */
  | 'read-only'
  /** The disk (or quota) is full; the write was rolled back, earlier data is intact. */
  | 'disk-full'
  /** The file was written by a newer Podnet Lab; it is left untouched. */
  | 'schema-too-new'
  /** Another process holds the database locked for longer than the busy timeout. */
  | 'busy'
  /** Any other I/O failure reported by SQLite or the file system. */
  | 'io'
  /** A learner, session or review item that the call names does not exist. */
  | 'not-found'
  /** The call would break a uniqueness rule, e.g. two profiles with the same name. */
  | 'conflict'
  /** The input is outside what the store accepts (e.g. an SM-2 grade of 7). */
  | 'invalid'

export class StoreError extends Error {
  override readonly name = 'StoreError'
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

/** Error codes of better-sqlite3's `SqliteError` (extended codes start with the primary one). */
function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  const code = (error as { code: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/** True when SQLite says the bytes are not a usable database (as opposed to an I/O problem). */
export function isCorruptionError(error: unknown): boolean {
  const code = sqliteCode(error) ?? ''
  return code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')
}

/**
 * Turns a failure from SQLite or the file system into a StoreError with a sentence a learner
 * can act on; errors that are already StoreErrors pass through unchanged.
 */
export function toStoreError(error: unknown, file: string, doing: string): StoreError {
  if (error instanceof StoreError) return error
  const code = sqliteCode(error) ?? ''
  const detail = error instanceof Error ? error.message : String(error)
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new StoreError(
      'read-only',
      `Cannot ${doing}: the progress file ${file} or its folder is read-only (${detail}). Progress already saved is unchanged; new progress is not being saved.`,
      { cause: error }
    )
  }
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC' || code === 'EDQUOT') {
    return new StoreError(
      'disk-full',
      `Cannot ${doing}: the disk holding ${file} is full (${detail}). This change was not saved; progress saved before it is unchanged. Free some space and try again.`,
      { cause: error }
    )
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError(
      'busy',
      `Cannot ${doing}: ${file} is locked by another Podnet Lab process (${detail}).`,
      { cause: error }
    )
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new StoreError(
      'read-only',
      `Cannot ${doing}: ${file} cannot be opened or created (${detail}). Check that its folder exists and is writable.`,
      { cause: error }
    )
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new StoreError('conflict', `Cannot ${doing}: ${detail}`, { cause: error })
  }
  return new StoreError('io', `Cannot ${doing}: ${detail} (file ${file}).`, { cause: error })
}
