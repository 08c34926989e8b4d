import { parseJson, type StoreContext } from './context.ts'
import { StoreError } from './errors.ts'
import type { ReviewRepository } from './review.ts'

export type AttemptKind = 'quiz' | 'prediction'

/** One graded answer to a quiz question or a prediction. */
export interface QuizAttempt {
  id: string
  learnerId: string
  lessonId: string
  stepId: string
  questionId: string
  kind: AttemptKind
  /** 1 for the first try at this question in this lesson; mastery counts only these. */
  attemptNo: number
  /** The learner's answer as the grader received it (option ids, a number, text…). */
  answer: unknown
  /** The reason option picked with a prediction that asks why; null otherwise. */
  justification: string | null
  correct: boolean
  /** 0–1 after the retry penalty. */
  score: number
  hintsUsed: number
  durationMs: number
  at: number
}

export type AttemptInput = Omit<QuizAttempt, 'id' | 'attemptNo' | 'at' | 'justification'> & {
  justification?: string | null
}

export interface AttemptRow {
  id: string
  learner_id: string
  lesson_id: string
  step_id: string
  question_id: string
  kind: AttemptKind
  attempt_no: number
  answer_json: string
  justification: string | null
  correct: number
  score: number
  hints_used: number
  duration_ms: number
  at: number
}

export const toAttempt = (r: AttemptRow): QuizAttempt => ({
  id: r.id,
  learnerId: r.learner_id,
  lessonId: r.lesson_id,
  stepId: r.step_id,
  questionId: r.question_id,
  kind: r.kind,
  attemptNo: r.attempt_no,
  answer: parseJson(r.answer_json),
  justification: r.justification,
  correct: r.correct === 1,
  score: r.score,
  hintsUsed: r.hints_used,
  durationMs: r.duration_ms,
  at: r.at
})

/** Quiz and prediction attempts; a wrong one also enters the review queue in the same transaction. */
export class AttemptsRepository {
  readonly #ctx: StoreContext
  readonly #review: ReviewRepository
  readonly #insert
  readonly #nextNo
  readonly #byLesson
  readonly #byLearner

  constructor(ctx: StoreContext, review: ReviewRepository) {
    this.#ctx = ctx
    this.#review = review
    const db = ctx.db
    this.#insert = db.prepare<[AttemptRow]>(`
      INSERT INTO quiz_attempts (id, learner_id, lesson_id, step_id, question_id, kind, attempt_no,
                                 answer_json, justification, correct, score, hints_used, duration_ms, at)
      VALUES (@id, @learner_id, @lesson_id, @step_id, @question_id, @kind, @attempt_no, @answer_json,
              @justification, @correct, @score, @hints_used, @duration_ms, @at)`)
    this.#nextNo = db.prepare<[string, string, string], { n: number }>(`
      SELECT coalesce(max(attempt_no), 0) + 1 AS n FROM quiz_attempts
      WHERE learner_id = ? AND lesson_id = ? AND question_id = ?`)
    this.#byLesson = db.prepare<[string, string], AttemptRow>(
      'SELECT * FROM quiz_attempts WHERE learner_id = ? AND lesson_id = ? ORDER BY at, rowid'
    )
    this.#byLearner = db.prepare<[string], AttemptRow>(
      'SELECT * FROM quiz_attempts WHERE learner_id = ? ORDER BY at, rowid'
    )
  }

  /** Numbers the attempt (1, 2, …) per question and stores it. */
  record(input: AttemptInput): QuizAttempt {
    if (!(input.score >= 0 && input.score <= 1)) {
      throw new StoreError('invalid', `An attempt score must be between 0 and 1, got ${input.score}.`)
    }
    if (
      !Number.isInteger(input.durationMs) ||
      input.durationMs < 0 ||
      !Number.isInteger(input.hintsUsed) ||
      input.hintsUsed < 0
    ) {
      throw new StoreError('invalid', 'durationMs and hintsUsed must be non-negative integers.')
    }
    return this.#ctx.write('record the answer', () => {
      const row: AttemptRow = {
        id: this.#ctx.newId(),
        learner_id: input.learnerId,
        lesson_id: input.lessonId,
        step_id: input.stepId,
        question_id: input.questionId,
        kind: input.kind,
        attempt_no: this.#nextNo.get(input.learnerId, input.lessonId, input.questionId)!.n,
        answer_json: JSON.stringify(input.answer),
        justification: input.justification ?? null,
        correct: input.correct ? 1 : 0,
        score: input.score,
        hints_used: input.hintsUsed,
        duration_ms: input.durationMs,
        at: this.#ctx.now()
      }
      this.#insert.run(row)
      if (!input.correct) {
        this.#review.enqueueFailure({
          learnerId: input.learnerId,
          lessonId: input.lessonId,
          stepId: input.stepId,
          questionId: input.questionId,
          source: input.kind
        })
      }
      return toAttempt(row)
    })
  }

  /** Oldest first; all of the learner's lessons when `lessonId` is omitted. */
  list(learnerId: string, lessonId?: string): QuizAttempt[] {
    return this.#ctx.read('list attempts', () =>
      (lessonId === undefined ? this.#byLearner.all(learnerId) : this.#byLesson.all(learnerId, lessonId)).map(
        toAttempt
      )
    )
  }
}
