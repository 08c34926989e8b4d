import { z } from 'zod'
import { sha256Hex } from './content-hash.ts'
import { idSchema, type Localized, localizedSchema, objectIdSchema, type Question } from './lesson.schema.ts'

/**
 * Quiz questions as the renderer sees them, answers as it sends them, and grading. Keys stay in
 * main: `toPublicQuestion` is the only way a question leaves it, and `publicQuestionSchema` (used
 * by the API contract) is strict, so a key field that slipped in would fail validation.
 */

const publicBase = {
  /** Question id, unique within the lesson. */
  id: idSchema,
  /** The question text. */
  prompt: localizedSchema,
  /** Points for a fully correct first attempt. */
  points: z.number(),
  /** Attempts allowed in total. */
  attempts: z.number().int(),
  /** Fraction of the points lost per retry. */
  penalty: z.number()
}

const publicOptionSchema = z.strictObject({
  /** Option id, sent back in the answer. */
  id: idSchema,
  /** Option text. */
  text: localizedSchema
})

export const publicQuestionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...publicBase,
    kind: z.literal('single'),
    /** The options. */ options: z.array(publicOptionSchema)
  }),
  z.strictObject({
    ...publicBase,
    kind: z.literal('multiple'),
    /** The options. */ options: z.array(publicOptionSchema)
  }),
  z.strictObject({
    ...publicBase,
    kind: z.literal('ordering'),
    /** The items in a fixed scrambled order (never the correct one). */
    items: z.array(publicOptionSchema)
  }),
  z.strictObject({
    ...publicBase,
    kind: z.literal('numeric'),
    /** Unit shown after the input. */ unit: z.string().optional()
  }),
  z.strictObject({ ...publicBase, kind: z.literal('text') }),
  z.strictObject({ ...publicBase, kind: z.literal('hotspot') })
])
export type PublicQuestion = z.output<typeof publicQuestionSchema>

/** What the renderer sends for each question kind. */
export const answerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('single'), /** The chosen option id. */ option: idSchema }),
  z.strictObject({ kind: z.literal('multiple'), /** The chosen option ids. */ options: z.array(idSchema) }),
  z.strictObject({
    kind: z.literal('ordering'),
    /** Every item id, in the learner's order. */ order: z.array(idSchema)
  }),
  z.strictObject({ kind: z.literal('numeric'), /** The number entered. */ value: z.number().finite() }),
  z.strictObject({ kind: z.literal('text'), /** The text entered. */ text: z.string().max(500) }),
  z.strictObject({ kind: z.literal('hotspot'), /** The picked object id. */ object: objectIdSchema })
])
export type Answer = z.output<typeof answerSchema>

/** The result of one submitted attempt. */
export interface Grading {
  questionId: string
  /** 1-based number of this attempt. */
  attempt: number
  /** Raw credit of this answer, 0..1, before the retry penalty. */
  fraction: number
  /** Points earned by this attempt after the retry penalty (unrounded: sums stay exact; the renderer formats). */
  score: number
  /** Points for a fully correct first attempt. */
  maxScore: number
  correct: boolean
  /** Correct, or out of attempts: no more tries, and the explanation and key are revealed. */
  finished: boolean
  /** Feedback for what was answered (per option or per matched value), in order. */
  feedback: Localized[]
  /**
   * The answer as the learner gave it, so a past step can be re-read with it. Absent from
   * gradings stored before answers were kept with them.
   */
  answer?: Answer
  /** Only once finished. */
  explanation?: Localized
  /** Only once finished: the answer that would have scored fully. */
  correctAnswer?: Answer
}

export function toPublicQuestion(question: Question): PublicQuestion {
  const base = {
    id: question.id,
    prompt: question.prompt,
    points: question.points,
    attempts: question.attempts,
    penalty: question.penalty
  }
  switch (question.kind) {
    case 'single':
    case 'multiple':
      return {
        ...base,
        kind: question.kind,
        options: question.options.map((o) => ({ id: o.id, text: o.text }))
      }
    case 'ordering':
      return {
        ...base,
        kind: 'ordering',
        items: scramble(question.id, question.items).map((i) => ({ id: i.id, text: i.text }))
      }
    case 'numeric':
      return question.unit === undefined
        ? { ...base, kind: 'numeric' }
        : { ...base, kind: 'numeric', unit: question.unit }
    case 'text':
      return { ...base, kind: 'text' }
    case 'hotspot':
      return { ...base, kind: 'hotspot' }
  }
}

/**
 * A stable order that is never the correct one: the same for every learner and session (so a
 * resumed quiz looks the same) without any randomness in the core.
 */
function scramble<T extends { id: string }>(questionId: string, items: readonly T[]): T[] {
  const keyed = items.map((item) => ({ item, key: sha256Hex(`${questionId}/${item.id}`) }))
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const order = keyed.map((k) => k.item)
  if (order.every((item, i) => item === items[i])) order.push(order.shift() as T)
  return order
}

/** Why an answer cannot be graded at all (it does not count as an attempt). */
export type AnswerRejection = 'wrong-kind' | 'unknown-option' | 'incomplete-order'

export function validateAnswer(question: Question, answer: Answer): AnswerRejection | undefined {
  if (question.kind !== answer.kind) return 'wrong-kind'
  if (question.kind === 'single' && answer.kind === 'single') {
    return question.options.some((o) => o.id === answer.option) ? undefined : 'unknown-option'
  }
  if (question.kind === 'multiple' && answer.kind === 'multiple') {
    const ids = new Set(question.options.map((o) => o.id))
    return answer.options.every((id) => ids.has(id)) && new Set(answer.options).size === answer.options.length
      ? undefined
      : 'unknown-option'
  }
  if (question.kind === 'ordering' && answer.kind === 'ordering') {
    const ids = question.items.map((i) => i.id)
    const given = new Set(answer.order)
    return answer.order.length === ids.length && given.size === ids.length && ids.every((id) => given.has(id))
      ? undefined
      : 'incomplete-order'
  }
  return undefined
}

/** Raw credit 0..1 and the feedback that applies, before any retry penalty. */
function assess(question: Question, answer: Answer): { fraction: number; feedback: Localized[] } {
  switch (question.kind) {
    case 'single': {
      const picked = question.options.find((o) => answer.kind === 'single' && o.id === answer.option)
      return { fraction: picked?.correct ? 1 : 0, feedback: picked?.feedback ? [picked.feedback] : [] }
    }
    case 'multiple': {
      const chosen = new Set(answer.kind === 'multiple' ? answer.options : [])
      const right = question.options.filter((o) => o.correct)
      const hits = right.filter((o) => chosen.has(o.id)).length
      const misses = question.options.filter((o) => !o.correct && chosen.has(o.id)).length
      // Each wrong pick cancels a right one, so ticking everything earns nothing.
      const fraction = Math.max(0, (hits - misses) / right.length)
      const feedback = question.options
        .filter((o) => chosen.has(o.id) && o.feedback)
        .map((o) => o.feedback as Localized)
      return { fraction, feedback }
    }
    case 'ordering': {
      const order = answer.kind === 'ordering' ? answer.order : []
      const inPlace = question.items.filter((item, i) => order[i] === item.id).length
      return { fraction: inPlace / question.items.length, feedback: [] }
    }
    case 'numeric': {
      const value = answer.kind === 'numeric' ? answer.value : Number.NaN
      const ok = Math.abs(value - question.answer) <= question.tolerance
      const match = question.feedback.find((f) => f.value === value)
      return { fraction: ok ? 1 : 0, feedback: match ? [match.feedback] : [] }
    }
    case 'text': {
      const text = answer.kind === 'text' ? answer.text.trim() : ''
      const ok = question.accept.some((pattern) => anchored(pattern).test(text))
      const match = ok ? undefined : question.feedback.find((f) => anchored(f.value).test(text))
      return { fraction: ok ? 1 : 0, feedback: match ? [match.feedback] : [] }
    }
    case 'hotspot': {
      const object = answer.kind === 'hotspot' ? answer.object : ''
      const match = question.feedback.find((f) => f.value === object)
      return { fraction: question.answer.includes(object) ? 1 : 0, feedback: match ? [match.feedback] : [] }
    }
  }
}

/** Accepted patterns match the whole answer, case-insensitively, so `8472` does not accept `84721`. */
function anchored(source: string): RegExp {
  return new RegExp(`^(?:${source})$`, 'i')
}

export function correctAnswer(question: Question): Answer {
  switch (question.kind) {
    case 'single':
      return { kind: 'single', option: (question.options.find((o) => o.correct) as { id: string }).id }
    case 'multiple':
      return { kind: 'multiple', options: question.options.filter((o) => o.correct).map((o) => o.id) }
    case 'ordering':
      return { kind: 'ordering', order: question.items.map((i) => i.id) }
    case 'numeric':
      return { kind: 'numeric', value: question.answer }
    case 'text':
      return { kind: 'text', text: question.modelAnswer }
    case 'hotspot':
      return { kind: 'hotspot', object: question.answer[0] as string }
  }
}

/**
 * Grades attempt number `priorAttempts + 1`. Moodle's interactive mode: each retry loses
 * `penalty` of the points, the mark never goes below zero, and the question finishes when it is
 * right or its attempts are used up.
 */
export function gradeAnswer(question: Question, answer: Answer, priorAttempts: number): Grading {
  const attempt = priorAttempts + 1
  const { fraction, feedback } = assess(question, answer)
  const correct = fraction === 1
  const finished = correct || attempt >= question.attempts
  const factor = Math.max(0, 1 - question.penalty * (attempt - 1))
  const grading: Grading = {
    questionId: question.id,
    attempt,
    fraction,
    score: question.points * fraction * factor,
    maxScore: question.points,
    correct,
    finished,
    feedback,
    answer
  }
  if (finished) {
    grading.explanation = question.explanation
    grading.correctAnswer = correctAnswer(question)
  }
  return grading
}
