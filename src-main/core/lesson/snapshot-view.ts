import type { LoadedLesson } from './course-loader.ts'
import type { PredictionValue } from './prediction.ts'
import type { AddressField, Lesson, Localized, Prediction, SolutionStep, TraceSpec } from './lesson.schema.ts'
import { COMPLETED, isStepDone, type LessonContext, questionsOf, scoreOf } from './lesson.machine.ts'
import { type MissedItem, missedItems } from './missed.ts'
import { type AnswerRejection, type Grading, type PublicQuestion, toPublicQuestion } from './quiz.ts'

/**
 * What the renderer receives for an open lesson: the current step and what it may show now.
 * Built only from public parts: questions without keys, predictions without their answer, goals
 * not at all, hints only once requested, the solution only once asked for.
 */

export interface QuestionView {
  question: PublicQuestion
  /** Graded attempts so far; the last one carries the explanation and key once finished. */
  gradings: Grading[]
}

export type StepView =
  | { kind: 'read' }
  | {
      kind: 'task'
      solved: boolean
      /** Static hints revealed so far, in order. */
      hints: Localized[]
      /** How many static hints are left to reveal. */
      hintsLeft: number
      /** Shown once the static hints are used up and the learner asks again. */
      dynamicHint?: Localized
      /** Only after the learner asked for it. */
      solution?: SolutionStep[]
    }
  | {
      kind: 'predict'
      trace: TraceSpec
      what: Prediction['what']
      /** Choices, for the kinds that offer them. */
      options?: string[]
      /** For `next-device`: the device the question starts from. */
      after?: string
      /** For `address-owner`: the device and the header field asked about. */
      at?: string
      field?: AddressField
      /** The reasons offered with the prediction, without the key, when the step asks for one. */
      justification?: { prompt?: Localized; options: { id: string; text: Localized }[] }
      /** The learner's prediction, once made. */
      prediction?: PredictionValue
      /** The option id of the reason the learner picked. */
      reason?: string
      /** True while the prediction is made but the trace has not finished: the service should run it. */
      awaitingTrace: boolean
      /**
       * After the trace: what really happened. `correct` needs both parts; `valueCorrect` and
       * `justification` say which one was off.
       */
      reveal?: {
        reality: PredictionValue
        correct: boolean
        valueCorrect: boolean
        score: number
        explanation: Localized
        justification?: { correct: boolean; answer: string; feedback?: Localized }
      }
    }
  | {
      kind: 'trace'
      trace: TraceSpec
      /** Device ids of the finished trace's hops; absent until the service ran it. */
      hops?: string[]
      questions: (QuestionView & { hop: string })[]
    }
  | { kind: 'quiz'; questions: QuestionView[] }
  | { kind: 'checkpoint' }
  /** The items come from the learner's review queue (`review:due`); the lesson core knows none. */
  | { kind: 'review'; max: number }

export interface LessonView {
  lessonId: string
  /** The current step id, or `completed`. */
  current: string
  completed: boolean
  steps: {
    id: string
    kind: Lesson['steps'][number]['kind']
    title: Localized
    status: 'done' | 'current' | 'todo'
  }[]
  canNext: boolean
  canBack: boolean
  /** The current step's view; absent once the lesson is completed. */
  step?: StepView
  /** The current step's prose, Markdown per locale; absent once the lesson is completed. */
  body?: Localized
  score: { score: number; maxScore: number; passScore: number }
  /** Once completed: what is worth looking at again, from the same answers as `score`. */
  missed?: MissedItem[]
  /** A clicked command the service should run in the lab. */
  pendingCommand?: { on: string; command: string }
  /** The last answer that could not be graded, as a reason code the renderer localises. */
  rejection?: { questionId: string; reason: AnswerRejection }
}

/** The view of a lesson snapshot (`{ value, context }` of a live or persisted snapshot). */
export function viewLesson(lesson: Lesson, snapshot: { value: unknown; context: LessonContext }): LessonView {
  const context = snapshot.context
  const current = String(snapshot.value)
  const index = lesson.steps.findIndex((step) => step.id === current)
  const step = lesson.steps[index]
  const view: LessonView = {
    lessonId: lesson.id,
    current,
    completed: current === COMPLETED,
    steps: lesson.steps.map((s) => ({
      id: s.id,
      kind: s.kind,
      title: s.title,
      status: s.id === current ? 'current' : context.completed.includes(s.id) ? 'done' : 'todo'
    })),
    canNext: step !== undefined && isStepDone(step, context),
    canBack: index > 0,
    score: { ...scoreOf(lesson, context), passScore: lesson.passScore }
  }
  if (step) view.step = stepView(step, context)
  if (view.completed) view.missed = missedItems(lesson, context)
  if (context.pendingCommand) view.pendingCommand = context.pendingCommand
  if (context.rejection) view.rejection = context.rejection
  return view
}

/**
 * A step's prose. It leaves the host only with its step (the current one, or one re-read): a
 * later step's text often states what an earlier step's question asks.
 */
export function stepProse(prose: LoadedLesson['prose'], stepId: string): Localized {
  return { en: prose.en.sections[stepId] ?? '', 'zh-CN': prose['zh-CN'].sections[stepId] ?? '' }
}

/**
 * A step the learner has reached (finished, or the current one) as it stands: for re-reading a
 * past step with the answers given and what they revealed. `undefined` for a step not reached,
 * whose view could hold nothing the learner has earned yet.
 */
export function viewReachedStep(
  lesson: Lesson,
  snapshot: { value: unknown; context: LessonContext },
  stepId: string
): StepView | undefined {
  const step = lesson.steps.find((s) => s.id === stepId)
  const reached = String(snapshot.value) === stepId || snapshot.context.completed.includes(stepId)
  return step && reached ? stepView(step, snapshot.context) : undefined
}

function stepView(step: Lesson['steps'][number], context: LessonContext): StepView {
  const questionView = (question: Parameters<typeof toPublicQuestion>[0]): QuestionView => ({
    question: toPublicQuestion(question),
    gradings: context.answers[question.id] ?? []
  })
  switch (step.kind) {
    case 'read':
    case 'checkpoint':
      return { kind: step.kind }
    case 'review':
      return { kind: 'review', max: step.max }
    case 'task': {
      const task = context.tasks[step.id]
      const use = context.hints[step.id] ?? { revealed: 0, dynamic: 0, solution: false }
      const view: StepView = {
        kind: 'task',
        solved: task?.solved === true,
        hints: step.hints.slice(0, use.revealed),
        hintsLeft: step.hints.length - use.revealed
      }
      if (use.dynamic > 0 && task?.dynamicHint) view.dynamicHint = task.dynamicHint
      if (use.solution) view.solution = step.solution
      return view
    }
    case 'predict': {
      const record = context.predictions[step.id]
      const prediction = step.prediction
      const view: Extract<StepView, { kind: 'predict' }> = {
        kind: 'predict',
        trace: step.trace,
        what: prediction.what,
        awaitingTrace: record !== undefined && record.reality === undefined
      }
      if ('options' in prediction) view.options = [...prediction.options]
      if (prediction.what === 'next-device') view.after = prediction.after
      if (prediction.what === 'address-owner') {
        view.at = prediction.at
        view.field = prediction.field
      }
      const justification = step.justification
      if (justification) {
        view.justification = { options: justification.options.map(({ id, text }) => ({ id, text })) }
        if (justification.prompt) view.justification.prompt = justification.prompt
      }
      if (record) view.prediction = record.value
      if (record?.justification !== undefined) view.reason = record.justification
      if (record?.reality !== undefined) {
        view.reveal = {
          reality: record.reality,
          correct: record.correct === true,
          valueCorrect: record.valueCorrect ?? record.correct === true,
          score: record.score ?? 0,
          explanation: step.explanation
        }
        const answer = justification?.options.find((option) => option.correct)
        if (answer) {
          const picked = justification?.options.find((option) => option.id === record.justification)
          view.reveal.justification = { correct: record.justificationCorrect === true, answer: answer.id }
          if (picked?.feedback) view.reveal.justification.feedback = picked.feedback
        }
      }
      return view
    }
    case 'trace': {
      const hops = context.traces[step.id]
      const view: Extract<StepView, { kind: 'trace' }> = {
        kind: 'trace',
        trace: step.trace,
        questions: step.questions.map((pinned) => ({ hop: pinned.hop, ...questionView(pinned.question) }))
      }
      if (hops) view.hops = hops
      return view
    }
    case 'quiz':
      return { kind: 'quiz', questions: questionsOf(step).map(questionView) }
  }
}
