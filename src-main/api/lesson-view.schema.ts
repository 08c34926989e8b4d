import { z } from 'zod'
import { answerSchema, publicQuestionSchema } from '../core/lesson/quiz.ts'
import {
  ADDRESS_FIELDS,
  localizedSchema,
  solutionStepSchema,
  traceSpecSchema
} from '../core/lesson/lesson.schema.ts'

/**
 * The open lesson as the renderer may see it (core/lesson/snapshot-view.ts builds it). Strict at
 * every level: an answer key, a goal or an unrevealed hint that slipped into the view would fail
 * validation in dispatch() instead of reaching the renderer.
 */

const predictionValueSchema = z.union([z.string(), z.number()])

export const gradingSchema = z.strictObject({
  questionId: z.string(),
  attempt: z.number().int(),
  fraction: z.number(),
  score: z.number(),
  maxScore: z.number(),
  correct: z.boolean(),
  finished: z.boolean(),
  feedback: z.array(localizedSchema),
  /** The learner's own answer; absent from gradings stored before answers were kept. */
  answer: answerSchema.optional(),
  /** Present only once the question is finished (correct or out of attempts). */
  explanation: localizedSchema.optional(),
  correctAnswer: answerSchema.optional()
})

const questionViewSchema = z.strictObject({
  question: publicQuestionSchema,
  gradings: z.array(gradingSchema)
})

export const stepViewSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('read') }),
  z.strictObject({ kind: z.literal('checkpoint') }),
  z.strictObject({ kind: z.literal('review'), max: z.number().int() }),
  z.strictObject({
    kind: z.literal('task'),
    solved: z.boolean(),
    hints: z.array(localizedSchema),
    hintsLeft: z.number().int(),
    dynamicHint: localizedSchema.optional(),
    solution: z.array(solutionStepSchema).optional()
  }),
  z.strictObject({
    kind: z.literal('predict'),
    trace: traceSpecSchema,
    what: z.enum(['verdict', 'drop-stage', 'arriving-ttl', 'next-device', 'address-owner', 'kube-sep']),
    options: z.array(z.string()).optional(),
    after: z.string().optional(),
    at: z.string().optional(),
    field: z.enum(ADDRESS_FIELDS).optional(),
    justification: z
      .strictObject({
        prompt: localizedSchema.optional(),
        options: z.array(z.strictObject({ id: z.string(), text: localizedSchema }))
      })
      .optional(),
    prediction: predictionValueSchema.optional(),
    reason: z.string().optional(),
    awaitingTrace: z.boolean(),
    reveal: z
      .strictObject({
        reality: predictionValueSchema,
        correct: z.boolean(),
        valueCorrect: z.boolean(),
        score: z.number(),
        explanation: localizedSchema,
        justification: z
          .strictObject({ correct: z.boolean(), answer: z.string(), feedback: localizedSchema.optional() })
          .optional()
      })
      .optional()
  }),
  z.strictObject({
    kind: z.literal('trace'),
    trace: traceSpecSchema,
    hops: z.array(z.string()).optional(),
    questions: z.array(questionViewSchema.extend({ hop: z.string() }))
  }),
  z.strictObject({ kind: z.literal('quiz'), questions: z.array(questionViewSchema) })
])

export const lessonSessionViewSchema = z.strictObject({
  lessonId: z.string(),
  current: z.string(),
  completed: z.boolean(),
  steps: z.array(
    z.strictObject({
      id: z.string(),
      kind: z.enum(['read', 'task', 'predict', 'trace', 'quiz', 'checkpoint', 'review']),
      title: localizedSchema,
      status: z.enum(['done', 'current', 'todo'])
    })
  ),
  canNext: z.boolean(),
  canBack: z.boolean(),
  step: stepViewSchema.optional(),
  /**
   * The current step's prose, Markdown, per locale (rendered with raw HTML escaped); absent once
   * the lesson is completed. Only the step reached travels: a later step's text may give an
   * earlier question's answer away.
   */
  body: localizedSchema.optional(),
  score: z.strictObject({ score: z.number(), maxScore: z.number(), passScore: z.number() }),
  missed: z
    .array(
      z.strictObject({
        kind: z.enum(['question', 'prediction']),
        id: z.string(),
        stepId: z.string(),
        text: localizedSchema
      })
    )
    .optional(),
  pendingCommand: z.strictObject({ on: z.string(), command: z.string() }).optional(),
  rejection: z.strictObject({ questionId: z.string(), reason: z.string() }).optional()
})

/** The learner events the renderer may send; `sim.*` events come only from the host itself. */
export const learnerEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('user.next') }),
  z.strictObject({ type: z.literal('user.back') }),
  z.strictObject({
    type: z.literal('user.answer'),
    questionId: z.string().min(1).max(80),
    answer: answerSchema
  }),
  z.strictObject({ type: z.literal('user.requestHint'), level: z.enum(['hint', 'solution']) }),
  z.strictObject({
    type: z.literal('user.runCommand'),
    on: z.string().min(1).max(120),
    command: z.string().min(1).max(2000)
  }),
  z.strictObject({
    type: z.literal('user.predict'),
    value: z.union([z.string().max(200), z.number().finite()]),
    justification: z.string().min(1).max(80).optional()
  })
])
