import type { StoreContext } from './context.ts'

export type HintKind = 'static' | 'dynamic' | 'solution'

/** One hint shown to the learner; `level` is the static hint's position (0 for dynamic/solution). */
export interface HintUse {
  id: string
  learnerId: string
  lessonId: string
  stepId: string
  kind: HintKind
  level: number
  at: number
}

export interface HintUseRow {
  id: string
  learner_id: string
  lesson_id: string
  step_id: string
  kind: HintKind
  level: number
  at: number
}

export const toHintUse = (r: HintUseRow): HintUse => ({
  id: r.id,
  learnerId: r.learner_id,
  lessonId: r.lesson_id,
  stepId: r.step_id,
  kind: r.kind,
  level: r.level,
  at: r.at
})

/** Hint use per step, so grading can apply hint penalties and reports can show reliance on hints. */
export class HintsRepository {
  readonly #ctx: StoreContext
  readonly #insert
  readonly #list

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    this.#insert = ctx.db.prepare<[HintUseRow]>(`
      INSERT INTO hint_uses (id, learner_id, lesson_id, step_id, kind, level, at)
      VALUES (@id, @learner_id, @lesson_id, @step_id, @kind, @level, @at)`)
    this.#list = ctx.db.prepare<[string, string], HintUseRow>(
      'SELECT * FROM hint_uses WHERE learner_id = ? AND lesson_id = ? ORDER BY at, rowid'
    )
  }

  record(input: Omit<HintUse, 'id' | 'at'>): HintUse {
    return this.#ctx.write('record the hint', () => {
      const row: HintUseRow = {
        id: this.#ctx.newId(),
        learner_id: input.learnerId,
        lesson_id: input.lessonId,
        step_id: input.stepId,
        kind: input.kind,
        level: input.level,
        at: this.#ctx.now()
      }
      this.#insert.run(row)
      return toHintUse(row)
    })
  }

  list(learnerId: string, lessonId: string): HintUse[] {
    return this.#ctx.read('list hints', () => this.#list.all(learnerId, lessonId).map(toHintUse))
  }
}
