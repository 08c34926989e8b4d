import { assign, setup, type SnapshotFrom } from 'xstate'
import type { CommandFacts, LabFacts, TraceFacts } from './lab-facts.ts'
import type { Lesson, Localized, Question, Step } from './lesson.schema.ts'
import { evaluateGoal, leavesSatisfiedByCommand, leavesSatisfiedByTrace, sameTrace } from './predicates.ts'
import {
  justificationCorrect,
  type PredictionValue,
  predictionComplete,
  predictionCorrect,
  realityOf
} from './prediction.ts'
import { type Answer, type AnswerRejection, type Grading, gradeAnswer, validateAnswer } from './quiz.ts'

/**
 * The lesson machine: one state per step id, plus `completed`. Everything a learner did lives in
 * the context, keyed by step and question ids, so a persisted snapshot is plain JSON and survives
 * edits to the lesson (resume.ts). The machine never runs commands or traces: the service does,
 * and reports them as `sim.*` events carrying a `LabFacts` view of the lab at that moment.
 */

export type LessonEvent =
  | { type: 'user.next' }
  | { type: 'user.back' }
  /** Answer a question of the current quiz or trace step. */
  | { type: 'user.answer'; questionId: string; answer: Answer }
  /** `hint`: the next static hint, then the dynamic one; `solution`: show the solution commands. */
  | { type: 'user.requestHint'; level: 'hint' | 'solution' }
  /** A command clicked in the prose: the service should run it and report `sim.commandRan`. */
  | { type: 'user.runCommand'; on: string; command: string }
  /** The learner's prediction for the current predict step, with the reason picked when the step asks for one. */
  | { type: 'user.predict'; value: PredictionValue; justification?: string | undefined }
  | { type: 'sim.commandRan'; command: CommandFacts; facts: LabFacts }
  | { type: 'sim.traceFinished'; trace: TraceFacts; facts: LabFacts }
  /** The lab changed without a command (a mutation from the UI, or the lesson was just opened). */
  | { type: 'sim.worldChanged'; facts: LabFacts }

/** Progress on a task step. */
export interface TaskProgress {
  /** Event leaves (command-ran, trace) satisfied during this step, by path (`goal.of[0]`). */
  satisfied: string[]
  /** Leaves failing at the last evaluation. */
  failing: string[]
  /** The dynamic hint for what failed at the last evaluation. */
  dynamicHint?: Localized
  solved: boolean
}

/** Hint use on a task step; recorded because mastery and the teacher's report use it. */
export interface HintUse {
  /** Static hints revealed, in order. */
  revealed: number
  /** Times the dynamic hint was shown. */
  dynamic: number
  /** Whether the solution was shown. */
  solution: boolean
}

export interface PredictionRecord {
  value: PredictionValue
  /** The option id of the reason the learner picked, when the step asks for one. */
  justification?: string
  /** What the simulator did; set when the trace finished (the reveal). */
  reality?: PredictionValue
  /** Both parts right: the value and, where asked, the reason. */
  correct?: boolean
  /** Set at the reveal: whether the predicted value matched the simulator. */
  valueCorrect?: boolean
  /** Set at the reveal when the step asks for a reason: whether the learner picked the right one. */
  justificationCorrect?: boolean
  /** Points earned at the reveal. */
  score?: number
}

export interface LessonContext {
  lessonId: string
  /** Content hash of the lesson this context was built against. */
  contentHash: string
  /** Step ids in order, as of `contentHash`: resume.ts finds the nearest earlier step with it. */
  stepOrder: string[]
  /** Step ids the learner has finished, in order of completion. Never shrinks, even across edits. */
  completed: string[]
  tasks: Record<string, TaskProgress>
  hints: Record<string, HintUse>
  /** Question id → every graded attempt, oldest first. */
  answers: Record<string, Grading[]>
  predictions: Record<string, PredictionRecord>
  /** Trace step id → the hops' device ids of the finished trace (pinned questions open on them). */
  traces: Record<string, string[]>
  /** A clicked command waiting for the service to run it. */
  pendingCommand?: { on: string; command: string }
  /** Why the last answer was not graded (not counted as an attempt). */
  rejection?: { questionId: string; reason: AnswerRejection }
}

export interface LessonMachineInput {
  contentHash: string
}

export interface LessonOutput {
  score: number
  maxScore: number
  passed: boolean
}

export const COMPLETED = 'completed'

export function questionsOf(step: Step): Question[] {
  if (step.kind === 'quiz') return step.questions
  if (step.kind === 'trace') return step.questions.map((pinned) => pinned.question)
  return []
}

/** The points a lesson's questions and predictions are worth together. */
export function maxScoreOf(lesson: Lesson): number {
  let maxScore = 0
  for (const step of lesson.steps) {
    for (const question of questionsOf(step)) maxScore += question.points
    if (step.kind === 'predict') maxScore += step.points
  }
  return maxScore
}

/** Points earned so far and the maximum, over questions and predictions. */
export function scoreOf(lesson: Lesson, context: LessonContext): { score: number; maxScore: number } {
  let score = 0
  for (const step of lesson.steps) {
    for (const question of questionsOf(step)) {
      const last = context.answers[question.id]?.at(-1)
      if (last) score += last.score
    }
    if (step.kind === 'predict') score += context.predictions[step.id]?.score ?? 0
  }
  // Penalties of 1/3 leave binary fractions behind; six decimals are more than any display needs.
  return { score: Math.round(score * 1e6) / 1e6, maxScore: maxScoreOf(lesson) }
}

/** Whether a step's work is finished, so `user.next` may leave it. */
export function isStepDone(step: Step, context: LessonContext): boolean {
  switch (step.kind) {
    case 'read':
    case 'checkpoint':
    case 'review':
      return true
    case 'task':
      return context.tasks[step.id]?.solved === true
    case 'predict':
      return context.predictions[step.id]?.reality !== undefined
    case 'trace':
      return context.traces[step.id] !== undefined && questionsFinished(step, context)
    case 'quiz':
      return questionsFinished(step, context)
  }
}

function questionsFinished(step: Step, context: LessonContext): boolean {
  return questionsOf(step).every((q) => context.answers[q.id]?.at(-1)?.finished === true)
}

function emptyTask(): TaskProgress {
  return { satisfied: [], failing: [], solved: false }
}

export function createLessonMachine(lesson: Lesson) {
  const steps = new Map(lesson.steps.map((step) => [step.id, step]))
  const stepOf = (id: string): Step => steps.get(id) as Step

  /** Task progress after a sim event, with the goal re-evaluated against the lab as it is now. */
  const taskAfter = (context: LessonContext, step: Step, event: LessonEvent): TaskProgress | undefined => {
    if (step.kind !== 'task' || !event.type.startsWith('sim.')) return undefined
    const before = context.tasks[step.id] ?? emptyTask()
    const newly =
      event.type === 'sim.commandRan'
        ? leavesSatisfiedByCommand(step.goal, event.command)
        : event.type === 'sim.traceFinished'
          ? leavesSatisfiedByTrace(step.goal, event.trace)
          : []
    const satisfied = [...new Set([...before.satisfied, ...newly])]
    const facts = (event as { facts: LabFacts }).facts
    const evaluation = evaluateGoal(step.goal, facts, satisfied)
    const next: TaskProgress = {
      satisfied,
      failing: evaluation.failing,
      solved: before.solved || evaluation.pass
    }
    if (evaluation.hint) next.dynamicHint = evaluation.hint
    return next
  }

  const machine = setup({
    types: {
      context: {} as LessonContext,
      events: {} as LessonEvent,
      input: {} as LessonMachineInput,
      output: {} as LessonOutput
    },
    guards: {
      isStepDone: ({ context }, params: { stepId: string }) => isStepDone(stepOf(params.stepId), context),
      isGoalMet: ({ context, event }, params: { stepId: string }) =>
        taskAfter(context, stepOf(params.stepId), event)?.solved === true,
      canAnswer: ({ context, event }, params: { stepId: string }) => {
        if (event.type !== 'user.answer') return false
        const step = stepOf(params.stepId)
        if (step.kind === 'trace' && context.traces[step.id] === undefined) return false
        const question = questionsOf(step).find((q) => q.id === event.questionId)
        return question !== undefined && context.answers[question.id]?.at(-1)?.finished !== true
      },
      isPredictionOpen: ({ context, event }, params: { stepId: string }) => {
        const step = stepOf(params.stepId)
        return (
          event.type === 'user.predict' &&
          step.kind === 'predict' &&
          predictionComplete(step, event.justification) &&
          context.predictions[params.stepId]?.reality === undefined
        )
      },
      isRevealingTrace: ({ context, event }, params: { stepId: string }) => {
        const step = stepOf(params.stepId)
        return (
          event.type === 'sim.traceFinished' &&
          step.kind === 'predict' &&
          sameTrace(step.trace, event.trace.spec) &&
          context.predictions[step.id] !== undefined &&
          context.predictions[step.id]?.reality === undefined
        )
      },
      isStepTrace: ({ event }, params: { stepId: string }) => {
        const step = stepOf(params.stepId)
        return (
          event.type === 'sim.traceFinished' &&
          step.kind === 'trace' &&
          sameTrace(step.trace, event.trace.spec)
        )
      }
    },
    actions: {
      recordTaskEvent: assign(({ context, event }, params: { stepId: string }) => {
        const task = taskAfter(context, stepOf(params.stepId), event)
        return task ? { tasks: { ...context.tasks, [params.stepId]: task } } : {}
      }),
      markCompleted: assign(({ context }, params: { stepId: string }) =>
        context.completed.includes(params.stepId) ? {} : { completed: [...context.completed, params.stepId] }
      ),
      gradeAnswer: assign(({ context, event }, params: { stepId: string }) => {
        if (event.type !== 'user.answer') return {}
        const question = questionsOf(stepOf(params.stepId)).find((q) => q.id === event.questionId) as Question
        const rejection = validateAnswer(question, event.answer)
        if (rejection) return { rejection: { questionId: question.id, reason: rejection } }
        const prior = context.answers[question.id] ?? []
        const grading = gradeAnswer(question, event.answer, prior.length)
        return { answers: { ...context.answers, [question.id]: [...prior, grading] }, rejection: undefined }
      }),
      revealHint: assign(({ context, event }, params: { stepId: string }) => {
        const step = stepOf(params.stepId)
        if (event.type !== 'user.requestHint' || step.kind !== 'task') return {}
        const use = context.hints[step.id] ?? { revealed: 0, dynamic: 0, solution: false }
        const next: HintUse =
          event.level === 'solution'
            ? { ...use, solution: true }
            : use.revealed < step.hints.length
              ? { ...use, revealed: use.revealed + 1 }
              : { ...use, dynamic: use.dynamic + 1 }
        return { hints: { ...context.hints, [step.id]: next } }
      }),
      recordPrediction: assign(({ context, event }, params: { stepId: string }) => {
        if (event.type !== 'user.predict') return {}
        const record: PredictionRecord = { value: event.value }
        if (event.justification !== undefined) record.justification = event.justification
        return { predictions: { ...context.predictions, [params.stepId]: record } }
      }),
      revealPrediction: assign(({ context, event }, params: { stepId: string }) => {
        const step = stepOf(params.stepId)
        const record = context.predictions[step.id]
        if (event.type !== 'sim.traceFinished' || step.kind !== 'predict' || !record) return {}
        const reality = realityOf(step.prediction, event.trace)
        const valueCorrect = predictionCorrect(step.prediction, record.value, reality)
        const revealed: PredictionRecord = { ...record, reality, valueCorrect }
        if (step.justification)
          revealed.justificationCorrect = justificationCorrect(step.justification, record.justification)
        revealed.correct = valueCorrect && revealed.justificationCorrect !== false
        revealed.score = revealed.correct ? step.points : 0
        return { predictions: { ...context.predictions, [step.id]: revealed } }
      }),
      recordTrace: assign(({ context, event }, params: { stepId: string }) =>
        event.type === 'sim.traceFinished'
          ? { traces: { ...context.traces, [params.stepId]: event.trace.hops.map((hop) => hop.device) } }
          : {}
      ),
      requestCommand: assign(({ event }) =>
        event.type === 'user.runCommand' ? { pendingCommand: { on: event.on, command: event.command } } : {}
      ),
      clearPendingCommand: assign({ pendingCommand: undefined })
    }
  })

  const ids = lesson.steps.map((step) => step.id)
  const states = Object.fromEntries(
    lesson.steps.map((step, index) => {
      const params = { stepId: step.id }
      const next = ids[index + 1] ?? COMPLETED
      const on: Record<string, unknown> = {
        'user.next': {
          guard: { type: 'isStepDone', params },
          target: next,
          actions: [{ type: 'markCompleted', params }]
        },
        'user.runCommand': { actions: 'requestCommand' },
        'sim.commandRan': { actions: 'clearPendingCommand' }
      }
      if (index > 0) on['user.back'] = { target: ids[index - 1] }
      switch (step.kind) {
        case 'task':
          for (const type of ['sim.commandRan', 'sim.traceFinished', 'sim.worldChanged']) {
            on[type] = [
              {
                guard: { type: 'isGoalMet', params },
                actions: [
                  ...(type === 'sim.commandRan' ? ['clearPendingCommand'] : []),
                  { type: 'recordTaskEvent', params },
                  { type: 'markCompleted', params }
                ]
              },
              {
                actions: [
                  ...(type === 'sim.commandRan' ? ['clearPendingCommand'] : []),
                  { type: 'recordTaskEvent', params }
                ]
              }
            ]
          }
          on['user.requestHint'] = { actions: { type: 'revealHint', params } }
          break
        case 'predict':
          on['user.predict'] = {
            guard: { type: 'isPredictionOpen', params },
            actions: { type: 'recordPrediction', params }
          }
          on['sim.traceFinished'] = {
            guard: { type: 'isRevealingTrace', params },
            actions: [
              { type: 'revealPrediction', params },
              { type: 'markCompleted', params }
            ]
          }
          break
        case 'trace':
          on['sim.traceFinished'] = {
            guard: { type: 'isStepTrace', params },
            actions: { type: 'recordTrace', params }
          }
          on['user.answer'] = {
            guard: { type: 'canAnswer', params },
            actions: { type: 'gradeAnswer', params }
          }
          break
        case 'quiz':
          on['user.answer'] = {
            guard: { type: 'canAnswer', params },
            actions: { type: 'gradeAnswer', params }
          }
          break
        case 'read':
        case 'checkpoint':
        case 'review':
          break
      }
      return [step.id, { on }]
    })
  )

  return machine.createMachine({
    id: `lesson-${lesson.id}`,
    initial: ids[0] as string,
    context: ({ input }) => ({
      lessonId: lesson.id,
      contentHash: input.contentHash,
      stepOrder: ids,
      completed: [],
      tasks: {},
      hints: {},
      answers: {},
      predictions: {},
      traces: {}
    }),
    // Generated from data, so the per-state config is checked at runtime by the tests, not by tsc.
    states: { ...(states as Record<string, object>), [COMPLETED]: { type: 'final' } },
    output: ({ context }) => {
      const { score, maxScore } = scoreOf(lesson, context)
      return { score, maxScore, passed: maxScore === 0 || score / maxScore >= lesson.passScore }
    }
  })
}

export type LessonMachine = ReturnType<typeof createLessonMachine>
export type LessonSnapshot = SnapshotFrom<LessonMachine>
