import type { StoreContext } from './context.ts'
import { StoreError } from './errors.ts'

/** A learner profile; everything else a learner does hangs off its id. */
export interface Learner {
  id: string
  name: string
  createdAt: number
  updatedAt: number
}

interface LearnerRow {
  id: string
  name: string
  created_at: number
  updated_at: number
}

const toLearner = (r: LearnerRow): Learner => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  updatedAt: r.updated_at
})

/** Profiles on one machine (classroom PCs): create, list, rename, delete. */
export class ProfilesRepository {
  readonly #ctx: StoreContext
  readonly #insert
  readonly #list
  readonly #get
  readonly #byName
  readonly #rename
  readonly #delete

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    const db = ctx.db
    this.#insert = db.prepare<[string, string, number, number]>(
      'INSERT INTO learners (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)'
    )
    this.#list = db.prepare<[], LearnerRow>(
      'SELECT * FROM learners WHERE id NOT IN (SELECT learner_id FROM class_learners) ORDER BY name COLLATE NOCASE, id'
    )
    this.#get = db.prepare<[string], LearnerRow>('SELECT * FROM learners WHERE id = ?')
    this.#byName = db.prepare<[string], LearnerRow>('SELECT * FROM learners WHERE name = ? COLLATE NOCASE')
    this.#rename = db.prepare<[string, number, string]>(
      'UPDATE learners SET name = ?, updated_at = ? WHERE id = ?'
    )
    this.#delete = db.prepare<[string]>('DELETE FROM learners WHERE id = ?')
  }

  create(name: string): Learner {
    const clean = validName(name)
    return this.#ctx.write('create the profile', () => {
      this.#assertNameFree(clean, null)
      const now = this.#ctx.now()
      const learner: Learner = { id: this.#ctx.newId(), name: clean, createdAt: now, updatedAt: now }
      this.#insert.run(learner.id, learner.name, now, now)
      return learner
    })
  }

  /**
   * The profiles made on this computer. A learner who joined a class has a profile too, but it
   * belongs to the class: the class lists it, and deleting the class deletes it.
   */
  list(): Learner[] {
    return this.#ctx.read('list profiles', () => this.#list.all().map(toLearner))
  }

  /** The profile, or null when there is none with this id. */
  get(id: string): Learner | null {
    const row = this.#ctx.read('read the profile', () => this.#get.get(id))
    return row ? toLearner(row) : null
  }

  rename(id: string, name: string): Learner {
    const clean = validName(name)
    return this.#ctx.write('rename the profile', () => {
      this.#assertNameFree(clean, id)
      const result = this.#rename.run(clean, this.#ctx.now(), id)
      if (result.changes === 0) throw new StoreError('not-found', `No profile with id ${id}.`)
      return toLearner(this.#get.get(id)!)
    })
  }

  /** Deletes the profile and, by cascade, all of its progress. */
  delete(id: string): void {
    this.#ctx.write('delete the profile', () => {
      if (this.#delete.run(id).changes === 0) throw new StoreError('not-found', `No profile with id ${id}.`)
    })
  }

  #assertNameFree(name: string, exceptId: string | null): void {
    const other = this.#byName.get(name)
    if (other && other.id !== exceptId) {
      throw new StoreError('conflict', `A profile named "${other.name}" already exists.`)
    }
  }
}

function validName(name: string): string {
  const clean = name.trim()
  if (clean.length === 0 || clean.length > 64) {
    throw new StoreError('invalid', 'A profile name must be 1 to 64 characters long.')
  }
  return clean
}
