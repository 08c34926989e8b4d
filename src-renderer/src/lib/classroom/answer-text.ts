import type { Answer } from '../../../../src-main/core/lesson/quiz.ts'
import { m, pick } from '../i18n/index.ts'
import { predictionPrompt, predictionText } from '../prediction-text.ts'
import type { OutlinedQuestion } from './course-outline.ts'

/** An answer as the learner saw it: one line, or the items of an ordering in the learner's order. */
export type AnswerText = { kind: 'line'; text: string } | { kind: 'ordered'; items: string[] }

/**
 * Turns the JSON the host groups answers by back into what the learner picked or typed, in the
 * reader's language: option texts for choices, item texts for an ordering, the number with its
 * unit, a verdict or drop reason in words. Unknown to the outline (a removed question), the
 * stored value is shown as it is.
 */
export function answerText(answerJson: string, question: OutlinedQuestion | undefined): AnswerText {
  const line = (text: string): AnswerText => ({ kind: 'line', text })
  let value: unknown
  try {
    value = JSON.parse(answerJson)
  } catch {
    return line(answerJson)
  }
  if (typeof value === 'string' || typeof value === 'number') return line(predictionText(value))
  if (!isAnswer(value)) return line(answerJson)
  const answer = value
  const asked = question?.kind === 'quiz' ? question.question : undefined
  const choices: readonly { id: string; text: { en: string; 'zh-CN': string } }[] =
    asked && 'options' in asked ? asked.options : asked && 'items' in asked ? asked.items : []
  const optionText = (id: string): string => {
    const found = choices.find((o) => o.id === id)
    return found ? pick(found.text) : id
  }
  switch (answer.kind) {
    case 'single':
      return line(optionText(answer.option))
    case 'multiple':
      return line(answer.options.map(optionText).join(m.list_separator()))
    case 'ordering':
      return { kind: 'ordered', items: answer.order.map(optionText) }
    case 'numeric': {
      const unit = asked?.kind === 'numeric' ? asked.unit : undefined
      return line(unit ? `${answer.value} ${unit}` : String(answer.value))
    }
    case 'text':
      return line(answer.text)
    case 'hotspot':
      return line(answer.object)
  }
}

/** The reason picked with a prediction that asks why, in the reader's language; null when none was. */
export function reasonText(
  justification: string | null,
  question: OutlinedQuestion | undefined
): string | null {
  if (justification === null) return null
  const found =
    question?.kind === 'prediction'
      ? question.prediction.reasons.find((r) => r.id === justification)
      : undefined
  return found ? pick(found.text) : justification
}

/** What a question asks, in the reader's language; its id when the course no longer has it. */
export function questionPrompt(question: OutlinedQuestion | undefined, questionId: string): string {
  if (!question) return questionId
  if (question.kind === 'quiz') return pick(question.question.prompt)
  return predictionPrompt(question.prediction)
}

/** The host stored what `quiz:submit` accepted; the shape is checked before its fields are read. */
function isAnswer(value: unknown): value is Answer {
  if (typeof value !== 'object' || value === null || !('kind' in value)) return false
  const v = value as Record<string, unknown>
  switch (v['kind']) {
    case 'single':
      return typeof v['option'] === 'string'
    case 'multiple':
      return Array.isArray(v['options']) && v['options'].every((o) => typeof o === 'string')
    case 'ordering':
      return Array.isArray(v['order']) && v['order'].every((o) => typeof o === 'string')
    case 'numeric':
      return typeof v['value'] === 'number'
    case 'text':
      return typeof v['text'] === 'string'
    case 'hotspot':
      return typeof v['object'] === 'string'
    default:
      return false
  }
}
