import type { LoadedLesson } from '../../core/lesson/course-loader.ts'
import { questionsOf } from '../../core/lesson/lesson.machine.ts'
import type { Question } from '../../core/lesson/lesson.schema.ts'
import { correctAnswer, gradeAnswer, toPublicQuestion, validateAnswer } from '../../core/lesson/quiz.ts'
import type { ProgressStore, ReviewItem } from '../../store/index.ts'
import { ApiError } from '../envelope.ts'
import { reason } from '../error-reasons.ts'
import type { Handlers } from '../dispatch.ts'
import type { ServiceContext } from './context.ts'

/** The review queue: questions missed before, asked again when due (SM-2). */
export function reviewHandlers(ctx: ServiceContext): Pick<Handlers, 'review:due' | 'review:answer'> {
  const { course, usableStore, requireLearner, lessons, now } = ctx

  /**
   * The course question a review item asks again, or null when its lesson or question left the
   * course, or when the lesson has not finished the question yet. Prediction items (their
   * question id is the predict step's id) have no question form to ask outside the lesson's lab,
   * so they resolve to null and the review session skips them.
   */
  function reviewQuestion(
    store: ProgressStore,
    item: ReviewItem
  ): { loaded: LoadedLesson; question: Question } | null {
    if (item.source !== 'quiz') return null
    // A wrong first try queues the question while its lesson still offers more tries; reviewing
    // it then would hand over the key the lesson is holding back. It waits until the lesson has
    // finished it (the same rule that lets the lesson itself show the explanation and answer).
    if (!lessons(store).finishedQuestions(item.learnerId, item.lessonId).has(item.questionId)) return null
    for (const entry of course().lessons) {
      if (entry.status !== 'available' || entry.lesson.lesson.id !== item.lessonId) continue
      const steps = entry.lesson.lesson.steps
      const inStep = steps.find((step) => step.id === item.stepId)
      const question =
        (inStep ? questionsOf(inStep) : []).find((q) => q.id === item.questionId) ??
        steps.flatMap(questionsOf).find((q) => q.id === item.questionId)
      return question ? { loaded: entry.lesson, question } : null
    }
    return null
  }
  return {
    'review:due': ({ learnerId }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      const at = now()
      const queue = store.review.list(learnerId).filter((item) => reviewQuestion(store, item) !== null)
      const later = queue.filter((item) => item.dueAt > at).map((item) => item.dueAt)
      const items = queue
        .filter((item) => item.dueAt <= at)
        .flatMap((item) => {
          const found = reviewQuestion(store, item)
          if (!found) return []
          return [
            {
              itemId: item.id,
              lessonId: item.lessonId,
              lessonTitle: found.loaded.lesson.title,
              questionId: item.questionId,
              question: toPublicQuestion(found.question),
              dueAt: new Date(item.dueAt).toISOString()
            }
          ]
        })
      return {
        items,
        total: items.length,
        nextDueAt: later.length === 0 ? null : new Date(Math.min(...later)).toISOString()
      }
    },

    'review:answer': ({ learnerId, itemId, answer }) => {
      const store = usableStore()
      requireLearner(store, learnerId)
      // Looked up within the learner's own queue: another learner's item is as unknown as a made-up id.
      const item = store.review.list(learnerId).find((i) => i.id === itemId)
      if (!item) {
        throw new ApiError('not_found', `no review item with id "${itemId}" for this learner`, {
          reason: reason('review_item_unknown', { itemId })
        })
      }
      const found = reviewQuestion(store, item)
      if (!found) {
        throw new ApiError(
          'not_found',
          `review item "${itemId}" asks question "${item.questionId}" of lesson "${item.lessonId}", which is not open for review: the course no longer has it, or the lesson has not finished it yet`,
          { reason: reason('review_item_closed', { itemId }) }
        )
      }
      const { question } = found
      const rejection = validateAnswer(question, answer)
      if (rejection) {
        throw new ApiError(
          'invalid_input',
          `answer: ${rejection} for ${question.kind} question "${question.id}"`,
          { reason: reason('answer_invalid', { questionId: question.id }) }
        )
      }
      // One attempt per review, and it always finishes: the explanation and key are the point of reviewing.
      const graded = gradeAnswer(question, answer, 0)
      const grading = {
        ...graded,
        finished: true,
        explanation: question.explanation,
        correctAnswer: correctAnswer(question)
      }
      const quality = graded.correct ? 4 : graded.fraction > 0 ? 2 : 1
      const next = store.transaction(() => {
        const rescheduled = store.review.grade(item.id, quality)
        // SM-2 repeats every item graded below 4 within the same session until it is recalled, so
        // a miss stays due now with its repetitions restarted.
        return quality < 4 ? store.review.enqueueFailure(item) : rescheduled
      })
      return { grading, nextDueAt: new Date(next.dueAt).toISOString() }
    }
  }
}
