import type { Lesson, Step } from './lesson.schema.ts'
import type { LessonContext } from './lesson.machine.ts'
import { isPersistedLessonSnapshot } from './resume.ts'

/**
 * When a question's key may leave the host. The lesson session is the one place that knows:
 * a question is finished when its last grading there is `finished` (answered correctly, or its
 * attempts used up: the moment the lesson itself shows the explanation and the right answer),
 * and a prediction when its trace revealed what really happened. The store's attempts table is
 * no substitute: it records each try but not the attempt limit it was graded under, and a wrong
 * first try there is exactly when a question is still open.
 */

/**
 * Question ids (and predict step ids, which name their prediction) finished in a stored lesson
 * snapshot. Anything that is not a lesson snapshot finishes nothing: keys stay in.
 */
export function finishedQuestionIds(persisted: unknown): ReadonlySet<string> {
  if (!isPersistedLessonSnapshot(persisted)) return new Set()
  const { answers, predictions } = persisted.context
  const finished = new Set<string>()
  for (const [questionId, gradings] of Object.entries(answers))
    if (gradings.at(-1)?.finished === true) finished.add(questionId)
  for (const [stepId, record] of Object.entries(predictions))
    if (record.reality !== undefined) finished.add(stepId)
  return finished
}

/**
 * The prediction whose packet may not be traced yet: the next predict step from the first step not
 * yet completed, while it waits for its prediction. Steps that only show (read, quiz, review,
 * checkpoint) do not stand in the way: the lab they leave is the lab the prediction asks about, so
 * tracing from them is tracing the answer. A task or a trace step does: the learner changes the lab
 * or traces in it there, and the same packet may be asked about again in a changed lab later (a
 * ping predicted before and after its FDB entry is deleted). Going back to earlier steps does not
 * move it, so its probe cannot be traced from there either.
 */
export function pendingPrediction(
  lesson: Lesson,
  context: Pick<LessonContext, 'completed' | 'predictions'>
): Extract<Step, { kind: 'predict' }> | undefined {
  const frontier = lesson.steps.findIndex((step) => !context.completed.includes(step.id))
  if (frontier < 0) return undefined
  for (const step of lesson.steps.slice(frontier)) {
    if (step.kind === 'predict') return context.predictions[step.id] === undefined ? step : undefined
    if (step.kind === 'task' || step.kind === 'trace') return undefined
  }
  return undefined
}
