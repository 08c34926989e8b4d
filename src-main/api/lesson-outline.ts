import type { Lesson, Step } from '../core/lesson/lesson.schema.ts'
import { toPublicQuestion } from '../core/lesson/quiz.ts'
import type { LessonOutline } from './contract.ts'

type StepOutline = LessonOutline['steps'][number]

/** A lesson as a class dashboard names it; questions leave through `toPublicQuestion`, keyless. */
export function lessonOutline(lesson: Lesson): LessonOutline {
  return { id: lesson.id, title: lesson.title, steps: lesson.steps.map(stepOutline) }
}

function stepOutline(step: Step): StepOutline {
  const base = { id: step.id, title: step.title }
  switch (step.kind) {
    case 'quiz':
      return { ...base, questions: step.questions.map(toPublicQuestion), prediction: null }
    case 'trace':
      return { ...base, questions: step.questions.map((q) => toPublicQuestion(q.question)), prediction: null }
    case 'predict': {
      const p = step.prediction
      const options = 'options' in p ? [...p.options] : []
      const after = p.what === 'next-device' ? p.after : null
      const [at, field] = p.what === 'address-owner' ? [p.at, p.field] : [null, null]
      const reasons = (step.justification?.options ?? []).map(({ id, text }) => ({ id, text }))
      return { ...base, questions: [], prediction: { what: p.what, options, after, at, field, reasons } }
    }
    default:
      return { ...base, questions: [], prediction: null }
  }
}
