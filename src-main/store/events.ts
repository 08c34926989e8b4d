import { parseJson, type StoreContext } from './context.ts'

/** Something that happened at a step (entered, task passed, command ran…); `kind` is the caller's vocabulary. */
export interface StepEvent {
  id: string
  learnerId: string
  lessonId: string
  stepId: string
  kind: string
  data: unknown
  at: number
}

/** The event the lesson host appends at each completion, with the figures of that moment. */
export const LESSON_COMPLETED = 'lesson-completed'
export interface LessonCompletedData {
  /** 0–1. */
  score: number
  passed: boolean
  timeSpentMs: number
}

export type StepEventInput = Omit<StepEvent, 'id' | 'at' | 'data'> & { data?: unknown }

export interface StepEventRow {
  id: string
  learner_id: string
  lesson_id: string
  step_id: string
  kind: string
  data_json: string | null
  at: number
}

export const toStepEvent = (r: StepEventRow): StepEvent => ({
  id: r.id,
  learnerId: r.learner_id,
  lessonId: r.lesson_id,
  stepId: r.step_id,
  kind: r.kind,
  data: parseJson(r.data_json),
  at: r.at
})

/** Append-only step events; each append is durable when it returns (see `openProgressStore`). */
export class EventsRepository {
  readonly #ctx: StoreContext
  readonly #insert
  readonly #byLesson
  readonly #byLearner

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    this.#insert = ctx.db.prepare<[StepEventRow]>(`
      INSERT INTO step_events (id, learner_id, lesson_id, step_id, kind, data_json, at)
      VALUES (@id, @learner_id, @lesson_id, @step_id, @kind, @data_json, @at)`)
    this.#byLesson = ctx.db.prepare<[string, string], StepEventRow>(
      'SELECT * FROM step_events WHERE learner_id = ? AND lesson_id = ? ORDER BY id'
    )
    this.#byLearner = ctx.db.prepare<[string], StepEventRow>(
      'SELECT * FROM step_events WHERE learner_id = ? ORDER BY at, id'
    )
  }

  append(input: StepEventInput): StepEvent {
    return this.#ctx.write('record the step event', () => {
      const row: StepEventRow = {
        id: this.#ctx.newId(),
        learner_id: input.learnerId,
        lesson_id: input.lessonId,
        step_id: input.stepId,
        kind: input.kind,
        data_json: input.data === undefined ? null : JSON.stringify(input.data),
        at: this.#ctx.now()
      }
      this.#insert.run(row)
      return toStepEvent(row)
    })
  }

  /** In the order they were recorded; all of the learner's lessons when `lessonId` is omitted. */
  list(learnerId: string, lessonId?: string): StepEvent[] {
    return this.#ctx.read('list step events', () =>
      (lessonId === undefined ? this.#byLearner.all(learnerId) : this.#byLesson.all(learnerId, lessonId)).map(
        toStepEvent
      )
    )
  }
}
