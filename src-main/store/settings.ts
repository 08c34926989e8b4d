import { parseJson, type StoreContext } from './context.ts'
import { StoreError } from './errors.ts'

interface SettingRow {
  key: string
  value_json: string
}

/**
 * Settings as JSON values, global (theme default, last profile) or per learner (language,
 * terminal font). A learner's own value wins over the global one.
 */
export class SettingsRepository {
  readonly #ctx: StoreContext
  readonly #getGlobal
  readonly #getLearner
  readonly #setGlobal
  readonly #setLearner
  readonly #removeGlobal
  readonly #removeLearner
  readonly #listGlobal
  readonly #listLearner

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    const db = ctx.db
    this.#getGlobal = db.prepare<[string], SettingRow>(
      'SELECT key, value_json FROM global_settings WHERE key = ?'
    )
    this.#getLearner = db.prepare<[string, string], SettingRow>(
      'SELECT key, value_json FROM learner_settings WHERE learner_id = ? AND key = ?'
    )
    this.#setGlobal = db.prepare<[string, string, number]>(`
      INSERT INTO global_settings (key, value_json, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`)
    this.#setLearner = db.prepare<[string, string, string, number]>(`
      INSERT INTO learner_settings (learner_id, key, value_json, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (learner_id, key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`)
    this.#removeGlobal = db.prepare<[string]>('DELETE FROM global_settings WHERE key = ?')
    this.#removeLearner = db.prepare<[string, string]>(
      'DELETE FROM learner_settings WHERE learner_id = ? AND key = ?'
    )
    this.#listGlobal = db.prepare<[], SettingRow>('SELECT key, value_json FROM global_settings ORDER BY key')
    this.#listLearner = db.prepare<[string], SettingRow>(
      'SELECT key, value_json FROM learner_settings WHERE learner_id = ? ORDER BY key'
    )
  }

  /** The learner's value, else the global one, else undefined. Without a learner: the global value. */
  get(key: string, learnerId?: string): unknown {
    return this.#ctx.read('read the setting', () => {
      const row =
        (learnerId === undefined ? undefined : this.#getLearner.get(learnerId, key)) ??
        this.#getGlobal.get(key)
      return row ? parseJson(row.value_json) : undefined
    })
  }

  /** Sets a JSON-serialisable value, for the learner when given, else globally. */
  set(key: string, value: unknown, learnerId?: string): void {
    const json = JSON.stringify(value) as string | undefined
    if (json === undefined)
      throw new StoreError('invalid', `Setting ${key} needs a JSON value, got ${typeof value}.`)
    this.#ctx.write('save the setting', () => {
      if (learnerId === undefined) this.#setGlobal.run(key, json, this.#ctx.now())
      else this.#setLearner.run(learnerId, key, json, this.#ctx.now())
    })
  }

  /** Removes the learner's own value (the global one shows through again) or the global value. */
  remove(key: string, learnerId?: string): void {
    this.#ctx.write('remove the setting', () => {
      if (learnerId === undefined) this.#removeGlobal.run(key)
      else this.#removeLearner.run(learnerId, key)
    })
  }

  /** Effective settings: global values overlaid with the learner's own. */
  all(learnerId?: string): Record<string, unknown> {
    return this.#ctx.read('list settings', () => {
      const out: Record<string, unknown> = {}
      for (const row of this.#listGlobal.all()) out[row.key] = parseJson(row.value_json)
      if (learnerId !== undefined) {
        for (const row of this.#listLearner.all(learnerId)) out[row.key] = parseJson(row.value_json)
      }
      return out
    })
  }
}
