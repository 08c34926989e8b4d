import type { StoreContext } from './context.ts'
import { StoreError } from './errors.ts'
import { initialSm2, sm2 } from './sm2.ts'

const DAY_MS = 86_400_000

/** A question the learner got wrong (or a prediction that missed), scheduled by SM-2. */
export interface ReviewItem {
  id: string
  learnerId: string
  lessonId: string
  stepId: string
  questionId: string
  source: 'quiz' | 'prediction'
  easiness: number
  repetitions: number
  intervalDays: number
  dueAt: number
  lastGrade: number | null
  createdAt: number
  updatedAt: number
}

export interface ReviewItemRow {
  id: string
  learner_id: string
  lesson_id: string
  step_id: string
  question_id: string
  source: 'quiz' | 'prediction'
  easiness: number
  repetitions: number
  interval_days: number
  due_at: number
  last_grade: number | null
  created_at: number
  updated_at: number
}

export const toReviewItem = (r: ReviewItemRow): ReviewItem => ({
  id: r.id,
  learnerId: r.learner_id,
  lessonId: r.lesson_id,
  stepId: r.step_id,
  questionId: r.question_id,
  source: r.source,
  easiness: r.easiness,
  repetitions: r.repetitions,
  intervalDays: r.interval_days,
  dueAt: r.due_at,
  lastGrade: r.last_grade,
  createdAt: r.created_at,
  updatedAt: r.updated_at
})

export type ReviewFailure = Pick<ReviewItem, 'learnerId' | 'lessonId' | 'stepId' | 'questionId' | 'source'>

/** The spaced-review queue: wrong answers go in, `due` lists what to revisit, `grade` reschedules. */
export class ReviewRepository {
  readonly #ctx: StoreContext
  readonly #insert
  readonly #restart
  readonly #due
  readonly #list
  readonly #get
  readonly #byQuestion
  readonly #update

  constructor(ctx: StoreContext) {
    this.#ctx = ctx
    const db = ctx.db
    // A repeat failure of a queued item restarts its repetitions and makes it due now.
    this.#insert = db.prepare<[ReviewItemRow]>(`
      INSERT INTO review_items (id, learner_id, lesson_id, step_id, question_id, source, easiness,
                                repetitions, interval_days, due_at, last_grade, created_at, updated_at)
      VALUES (@id, @learner_id, @lesson_id, @step_id, @question_id, @source, @easiness, @repetitions,
              @interval_days, @due_at, @last_grade, @created_at, @updated_at)
      ON CONFLICT (learner_id, lesson_id, question_id) DO NOTHING`)
    this.#restart = db.prepare<[{ now: number; learnerId: string; lessonId: string; questionId: string }]>(`
      UPDATE review_items SET repetitions = 0, interval_days = 0, due_at = min(due_at, @now), updated_at = @now
      WHERE learner_id = @learnerId AND lesson_id = @lessonId AND question_id = @questionId`)
    this.#due = db.prepare<[string, number, number], ReviewItemRow>(
      'SELECT * FROM review_items WHERE learner_id = ? AND due_at <= ? ORDER BY due_at, created_at, rowid LIMIT ?'
    )
    this.#list = db.prepare<[string], ReviewItemRow>(
      'SELECT * FROM review_items WHERE learner_id = ? ORDER BY due_at, created_at, rowid'
    )
    this.#get = db.prepare<[string], ReviewItemRow>('SELECT * FROM review_items WHERE id = ?')
    this.#byQuestion = db.prepare<[string, string, string], ReviewItemRow>(
      'SELECT * FROM review_items WHERE learner_id = ? AND lesson_id = ? AND question_id = ?'
    )
    this.#update = db.prepare<
      [
        Pick<
          ReviewItemRow,
          'id' | 'easiness' | 'repetitions' | 'interval_days' | 'due_at' | 'last_grade' | 'updated_at'
        >
      ]
    >(`
      UPDATE review_items SET easiness = @easiness, repetitions = @repetitions,
        interval_days = @interval_days, due_at = @due_at, last_grade = @last_grade, updated_at = @updated_at
      WHERE id = @id`)
  }

  /**
   * Queues a missed question, due immediately; called by `attempts.record` inside its transaction,
   * and usable directly for failures that are not attempts.
   */
  enqueueFailure(failure: ReviewFailure): ReviewItem {
    return this.#ctx.write('queue the question for review', () => {
      const now = this.#ctx.now()
      const inserted = this.#insert.run({
        id: this.#ctx.newId(),
        learner_id: failure.learnerId,
        lesson_id: failure.lessonId,
        step_id: failure.stepId,
        question_id: failure.questionId,
        source: failure.source,
        easiness: initialSm2.easiness,
        repetitions: initialSm2.repetitions,
        interval_days: initialSm2.intervalDays,
        due_at: now,
        last_grade: null,
        created_at: now,
        updated_at: now
      })
      const key = {
        now,
        learnerId: failure.learnerId,
        lessonId: failure.lessonId,
        questionId: failure.questionId
      }
      if (inserted.changes === 0) this.#restart.run(key)
      return toReviewItem(this.#byQuestion.get(failure.learnerId, failure.lessonId, failure.questionId)!)
    })
  }

  /** Items due now or earlier, most overdue first. */
  due(learnerId: string, limit = 20): ReviewItem[] {
    return this.#ctx.read('list due reviews', () =>
      this.#due.all(learnerId, this.#ctx.now(), limit).map(toReviewItem)
    )
  }

  list(learnerId: string): ReviewItem[] {
    return this.#ctx.read('list reviews', () => this.#list.all(learnerId).map(toReviewItem))
  }

  /** Applies an SM-2 grade (0 = blackout … 5 = perfect) and reschedules from now. */
  grade(itemId: string, grade: number): ReviewItem {
    if (!Number.isInteger(grade) || grade < 0 || grade > 5) {
      throw new StoreError('invalid', `A review grade must be an integer from 0 to 5, got ${grade}.`)
    }
    return this.#ctx.write('grade the review', () => {
      const row = this.#get.get(itemId)
      if (!row) throw new StoreError('not-found', `No review item with id ${itemId}.`)
      const next = sm2(
        { easiness: row.easiness, repetitions: row.repetitions, intervalDays: row.interval_days },
        grade
      )
      const now = this.#ctx.now()
      this.#update.run({
        id: itemId,
        easiness: next.easiness,
        repetitions: next.repetitions,
        interval_days: next.intervalDays,
        due_at: now + next.intervalDays * DAY_MS,
        last_grade: grade,
        updated_at: now
      })
      return toReviewItem(this.#get.get(itemId)!)
    })
  }
}
