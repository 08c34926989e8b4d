import type { LessonContext } from './lesson.machine.ts'
import type { Grading } from './quiz.ts'

/**
 * What the store records after a transition, derived by comparing the contexts before and after
 * it. Deriving (rather than emitting from actions) keeps the machine free of side channels and
 * works the same for a live actor, `getNextSnapshot` in tests and a restored snapshot.
 */
export type ProgressRecord =
  | { kind: 'step-completed'; stepId: string }
  | { kind: 'quiz-attempt'; stepId: string; grading: Grading }
  | { kind: 'hint-used'; stepId: string; level: 'static' | 'dynamic' | 'solution'; count: number }
  | {
      kind: 'prediction-revealed'
      stepId: string
      correct: boolean
      score: number
      /** The reason option the learner picked, on a prediction that asks why. */
      justification?: string
    }

export function progressRecords(
  before: LessonContext,
  after: LessonContext,
  stepOfQuestion: (questionId: string) => string
): ProgressRecord[] {
  const records: ProgressRecord[] = []
  for (const stepId of after.completed) {
    if (!before.completed.includes(stepId)) records.push({ kind: 'step-completed', stepId })
  }
  for (const [questionId, gradings] of Object.entries(after.answers)) {
    const known = before.answers[questionId]?.length ?? 0
    for (const grading of gradings.slice(known))
      records.push({ kind: 'quiz-attempt', stepId: stepOfQuestion(questionId), grading })
  }
  for (const [stepId, use] of Object.entries(after.hints)) {
    const old = before.hints[stepId] ?? { revealed: 0, dynamic: 0, solution: false }
    if (use.revealed > old.revealed)
      records.push({ kind: 'hint-used', stepId, level: 'static', count: use.revealed })
    if (use.dynamic > old.dynamic)
      records.push({ kind: 'hint-used', stepId, level: 'dynamic', count: use.dynamic })
    if (use.solution && !old.solution)
      records.push({ kind: 'hint-used', stepId, level: 'solution', count: 1 })
  }
  for (const [stepId, prediction] of Object.entries(after.predictions)) {
    if (prediction.reality !== undefined && before.predictions[stepId]?.reality === undefined) {
      records.push({
        kind: 'prediction-revealed',
        stepId,
        correct: prediction.correct === true,
        score: prediction.score ?? 0,
        ...(prediction.justification !== undefined ? { justification: prediction.justification } : {})
      })
    }
  }
  return records
}
