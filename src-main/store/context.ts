import { randomBytes } from 'node:crypto'
import type Database from 'better-sqlite3'
import { StoreError, toStoreError } from './errors.ts'

/** What every repository shares: one connection, the injected clock and the file name for messages. */
export class StoreContext {
  constructor(
    readonly db: Database.Database,
    readonly file: string,
    readonly now: () => number
  ) {}

  #lastMs = -1
  #seq = 0

  /**
   * A UUIDv7 (RFC 9562): 48-bit time from the injected clock, a 12-bit counter that keeps ids from
   * one process strictly increasing, 62 random bits against collisions between machines. Sorting
   * by id therefore sorts by creation, and new keys land at the end of their B-tree.
   */
  newId(): string {
    let ms = this.now()
    if (ms <= this.#lastMs) {
      ms = this.#lastMs
      if (++this.#seq > 0xfff) {
        ms++
        this.#seq = 0
      }
    } else this.#seq = 0
    this.#lastMs = ms
    const bytes = randomBytes(16)
    bytes.writeUIntBE(ms, 0, 6)
    bytes[6] = 0x70 | (this.#seq >> 8)
    bytes[7] = this.#seq & 0xff
    bytes[8] = 0x80 | (bytes[8]! & 0x3f)
    const hex = bytes.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
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

  /** SQLite and file-system failures become StoreErrors; the caller's own exceptions pass through. */
  #translate(error: unknown, doing: string): unknown {
    const code = (error as { code?: unknown } | null)?.code
    if (typeof code !== 'string') return error
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
