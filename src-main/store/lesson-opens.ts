import type { StoreContext } from './context.ts'

/** What the Progress page shows for a lesson the learner has opened at least once. */
export interface OpenedLesson {
  lessonId: string
  firstOpenedAt: number
  lastOpenedAt: number
  timesOpened: number
}

/** Records each opening of a lesson, so the Progress page still lists them after a restart. */
export class LessonOpensRepository {
  readonly #ctx: StoreContext
  readonly #insert
  readonly #list

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    this.#insert = ctx.db.prepare<[string, string, string, number]>(
      'INSERT INTO lesson_opens (id, learner_id, lesson_id, opened_at) VALUES (?, ?, ?, ?)'
    )
    this.#list = ctx.db.prepare<[string], OpenedLesson>(`
      SELECT lesson_id AS lessonId, min(opened_at) AS firstOpenedAt, max(opened_at) AS lastOpenedAt,
             count(*) AS timesOpened
      FROM lesson_opens WHERE learner_id = ?
      GROUP BY lesson_id ORDER BY lastOpenedAt DESC, lessonId`)
  }

  record(learnerId: string, lessonId: string): { id: string; openedAt: number } {
    return this.#ctx.write('record that the lesson was opened', () => {
      const opened = { id: this.#ctx.newId(), openedAt: this.#ctx.now() }
      this.#insert.run(opened.id, learnerId, lessonId, opened.openedAt)
      return opened
    })
  }

  /** Most recently opened first. */
  list(learnerId: string): OpenedLesson[] {
    return this.#ctx.read('list opened lessons', () => this.#list.all(learnerId))
  }
}
