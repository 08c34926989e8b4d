import type { LessonOutline } from '../../../../src-main/api/contract.ts'
import type { PublicQuestion } from '../../../../src-main/core/lesson/quiz.ts'

type StepOutline = LessonOutline['steps'][number]
export type PredictionOutline = NonNullable<StepOutline['prediction']>

/** Where a question sits in the course, and what it asks. */
export type OutlinedQuestion =
  | { kind: 'quiz'; order: number; question: PublicQuestion }
  | { kind: 'prediction'; order: number; prediction: PredictionOutline }

/** A learner's place as the dashboard says it: step `n` of the lesson's `of`, and its title. */
export interface StepPlace {
  n: number
  of: number
  step: StepOutline
}

/**
 * The course as the class dashboard names it (`lessons:outline`): lesson and step titles, and
 * each question keyed by lesson and question id, numbered in course order so the answer lists
 * follow the lessons.
 */
export class CourseOutline {
  readonly #lessons = new Map<string, LessonOutline>()
  readonly #questions = new Map<string, OutlinedQuestion>()

  constructor(lessons: readonly LessonOutline[]) {
    let order = 0
    for (const lesson of lessons) {
      this.#lessons.set(lesson.id, lesson)
      for (const step of lesson.steps) {
        if (step.prediction)
          this.#questions.set(key(lesson.id, step.id), {
            kind: 'prediction',
            order: order++,
            prediction: step.prediction
          })
        for (const question of step.questions)
          this.#questions.set(key(lesson.id, question.id), { kind: 'quiz', order: order++, question })
      }
    }
  }

  lesson(lessonId: string): LessonOutline | undefined {
    return this.#lessons.get(lessonId)
  }

  place(lessonId: string, stepId: string): StepPlace | undefined {
    const steps = this.#lessons.get(lessonId)?.steps ?? []
    const index = steps.findIndex((s) => s.id === stepId)
    return index === -1 ? undefined : { n: index + 1, of: steps.length, step: steps[index]! }
  }

  question(lessonId: string, questionId: string): OutlinedQuestion | undefined {
    return this.#questions.get(key(lessonId, questionId))
  }

  /** Questions in the order learners meet them; ones the course no longer has go last. */
  sorted<Q extends { lessonId: string; questionId: string }>(questions: readonly Q[]): Q[] {
    const order = (q: Q): number => this.question(q.lessonId, q.questionId)?.order ?? Number.MAX_SAFE_INTEGER
    return [...questions].sort((a, b) => order(a) - order(b))
  }
}

const key = (lessonId: string, id: string): string => `${lessonId}\u0000${id}`
