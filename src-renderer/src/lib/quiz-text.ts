import type { Answer, PublicQuestion } from '../../../src-main/core/lesson/quiz.ts'
import { m, pick } from './i18n/index.ts'

/** An ordering item's text in the current locale (the id when the question has no such item). */
export function orderingItemText(question: PublicQuestion, id: string): string {
  if (question.kind !== 'ordering') return id
  const item = question.items.find((i) => i.id === id)
  return item ? pick(item.text) : id
}

/** A revealed answer key as a learner reads it: option texts, an ordering as a chain, the value. */
export function answerKeyText(question: PublicQuestion, key: Answer | undefined): string | null {
  if (!key) return null
  switch (key.kind) {
    case 'single':
      return question.kind === 'single'
        ? pick(
            question.options.find((o) => o.id === key.option)?.text ?? {
              en: key.option,
              'zh-CN': key.option
            }
          )
        : null
    case 'multiple':
      return question.kind === 'multiple'
        ? question.options
            .filter((o) => key.options.includes(o.id))
            .map((o) => pick(o.text))
            .join(m.list_separator())
        : null
    case 'ordering':
      return key.order.map((id) => orderingItemText(question, id)).join(' → ')
    case 'numeric':
      return String(key.value)
    case 'text':
      return key.text
    case 'hotspot':
      return key.object
  }
}
