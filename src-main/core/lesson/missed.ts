import type { Lesson, Localized } from './lesson.schema.ts'
import { type LessonContext, questionsOf } from './lesson.machine.ts'

/** A question or prediction the learner did not get right at once, with what names it to them. */
export interface MissedItem {
  kind: 'question' | 'prediction'
  /** The question id, or the predict step's id. */
  id: string
  stepId: string
  /** The question's prompt, or the predict step's title. */
  text: Localized
}

/**
 * What a finished lesson suggests looking at again: every question not right at its first
 * attempt and every prediction that missed (or was never made), in lesson order. Built from the
 * same context as `scoreOf`, so an empty list always comes with full marks: each question then
 * scored its points at the first attempt and each prediction its points.
 */
export function missedItems(lesson: Lesson, context: LessonContext): MissedItem[] {
  const missed: MissedItem[] = []
  for (const step of lesson.steps) {
    for (const question of questionsOf(step)) {
      if (context.answers[question.id]?.[0]?.correct !== true)
        missed.push({ kind: 'question', id: question.id, stepId: step.id, text: question.prompt })
    }
    if (step.kind === 'predict' && context.predictions[step.id]?.correct !== true)
      missed.push({ kind: 'prediction', id: step.id, stepId: step.id, text: step.title })
  }
  return missed
}
