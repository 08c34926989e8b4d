import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import { StoreError, toStoreError } from './errors.ts'

/** What every repository shares: one connection, the injected clock and the file name for messages. */
export class StoreContext {
  constructor(
    readonly db: Database.Database,
    readonly file: string,
    readonly now: () => number
  ) {}

  newId(): string {
    return randomUUID()
  }

  /**
   * Runs `fn` in one transaction (a savepoint when nested in `store.transaction`) and turns
   * SQLite failures into StoreErrors; a failed write leaves nothing half-done behind.
   */
  write<T>(doing: string, fn: () => T): T {
    try {
      return this.db.transaction(fn)()
    } catch (error) {
      throw this.#translate(error, doing)
    }
  }

  /** Reads need no transaction, but their failures (a vanished disk) deserve the same words. */
  read<T>(doing: string, fn: () => T): T {
    try {
      return fn()
    } catch (error) {
      throw this.#translate(error, doing)
    }
  }

  #translate(error: unknown, doing: string): StoreError {
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      return new StoreError('not-found', `Cannot ${doing}: the learner does not exist.`, { cause: error })
    }
    return toStoreError(error, this.file, doing)
  }
}

/** JSON columns hold what callers passed; parsing is the single place they come back to life. */
export function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown)
}
