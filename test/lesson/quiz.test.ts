import { describe, expect, it } from 'vitest'
import { type Question, questionSchema } from '../../src-main/core/lesson/lesson.schema.ts'
import {
  type Answer,
  gradeAnswer,
  publicQuestionSchema,
  toPublicQuestion,
  validateAnswer
} from '../../src-main/core/lesson/quiz.ts'

const t = (en: string): { en: string; 'zh-CN': string } => ({ en, 'zh-CN': `（${en}）` })
const base = (id: string) => ({ id, prompt: t(`prompt ${id}`), explanation: t(`why ${id}`) })

const single = questionSchema.parse({
  ...base('gateway'),
  kind: 'single',
  options: [
    { id: 'cni0', text: t('cni0'), correct: true, feedback: t('right') },
    { id: 'flannel', text: t('flannel.1'), feedback: t('VTEP, not a gateway') },
    { id: 'eth0', text: t('eth0') }
  ]
})
const multiple = questionSchema.parse({
  ...base('programs'),
  kind: 'multiple',
  options: [
    { id: 'route', text: t('route'), correct: true },
    { id: 'neigh', text: t('neigh'), correct: true },
    { id: 'veth', text: t('veth'), feedback: t('no veth between nodes') }
  ]
})
const ordering = questionSchema.parse({
  ...base('order'),
  kind: 'ordering',
  items: ['a', 'b', 'c', 'd'].map((id) => ({ id, text: t(id) }))
})
const numeric = questionSchema.parse({
  ...base('ttl'),
  kind: 'numeric',
  answer: 62,
  feedback: [{ value: 64, feedback: t('that is the same node') }]
})
const tolerant = questionSchema.parse({
  ...base('rtt'),
  kind: 'numeric',
  answer: 0.5,
  tolerance: 0.1,
  unit: 'ms'
})
const text = questionSchema.parse({
  ...base('port'),
  kind: 'text',
  accept: ['8472'],
  modelAnswer: '8472',
  feedback: [{ value: '4789', feedback: t('IANA, not Linux') }]
})
const hotspot = questionSchema.parse({
  ...base('pick'),
  kind: 'hotspot',
  answer: ['node-2/cni0'],
  feedback: [{ value: 'node-2/flannel.1', feedback: t('that is the VTEP') }]
})
const ALL: Question[] = [single, multiple, ordering, numeric, tolerant, text, hotspot]

describe('toPublicQuestion', () => {
  it.each(ALL.map((q) => [q.kind, q] as const))(
    '%s: validates against the strict public schema',
    (_, question) => {
      expect(publicQuestionSchema.safeParse(toPublicQuestion(question)).success).toBe(true)
    }
  )

  it('strips every key field', () => {
    const json = JSON.stringify(ALL.map(toPublicQuestion))
    for (const key of [
      '"correct"',
      '"answer"',
      '"accept"',
      '"feedback"',
      '"explanation"',
      '"tolerance"',
      '"modelAnswer"'
    ]) {
      expect(json).not.toContain(key)
    }
  })

  it('the public schema itself has no key fields, so a leak fails validation', () => {
    for (const option of publicQuestionSchema.options) {
      const fields = Object.keys(option.shape)
      for (const key of ['answer', 'accept', 'feedback', 'explanation', 'tolerance', 'modelAnswer'])
        expect(fields).not.toContain(key)
    }
    const leaked = { ...toPublicQuestion(numeric), answer: 62 }
    expect(publicQuestionSchema.safeParse(leaked).success).toBe(false)
    const leakedOption = toPublicQuestion(single) as { options: object[] }
    leakedOption.options[0] = { ...leakedOption.options[0], correct: true }
    expect(publicQuestionSchema.safeParse(leakedOption).success).toBe(false)
  })

  it('scrambles ordering items into a stable order that is never the correct one', () => {
    const order = (toPublicQuestion(ordering) as { items: { id: string }[] }).items.map((i) => i.id)
    expect(order).not.toEqual(['a', 'b', 'c', 'd'])
    expect([...order].sort()).toEqual(['a', 'b', 'c', 'd'])
    expect((toPublicQuestion(ordering) as { items: { id: string }[] }).items.map((i) => i.id)).toEqual(order)
  })
})

describe('gradeAnswer', () => {
  it('single: per-option feedback, penalty per retry, explanation and key only when finished', () => {
    const first = gradeAnswer(single, { kind: 'single', option: 'flannel' }, 0)
    expect(first).toEqual({
      questionId: 'gateway',
      attempt: 1,
      fraction: 0,
      score: 0,
      maxScore: 1,
      correct: false,
      finished: false,
      feedback: [t('VTEP, not a gateway')],
      answer: { kind: 'single', option: 'flannel' }
    })
    const second = gradeAnswer(single, { kind: 'single', option: 'cni0' }, 1)
    expect(second.correct).toBe(true)
    expect(second.finished).toBe(true)
    expect(second.score).toBeCloseTo(2 / 3, 12)
    expect(second.feedback).toEqual([t('right')])
    expect(second.explanation).toEqual(t('why gateway'))
    expect(second.correctAnswer).toEqual({ kind: 'single', option: 'cni0' })
  })

  it('finishes after the last attempt even when wrong, revealing the key', () => {
    const last = gradeAnswer(single, { kind: 'single', option: 'eth0' }, 2)
    expect(last).toMatchObject({
      attempt: 3,
      correct: false,
      finished: true,
      score: 0,
      correctAnswer: { kind: 'single', option: 'cni0' }
    })
  })

  it('a correct third attempt earns a third of the points', () => {
    expect(gradeAnswer(single, { kind: 'single', option: 'cni0' }, 2).score).toBeCloseTo(1 / 3, 12)
  })

  it('uses the configured points and penalty, never going below zero', () => {
    const strict = questionSchema.parse({
      ...base('strict'),
      kind: 'numeric',
      answer: 1,
      points: 4,
      penalty: 0.5,
      attempts: 5
    })
    expect(gradeAnswer(strict, { kind: 'numeric', value: 1 }, 0).score).toBe(4)
    expect(gradeAnswer(strict, { kind: 'numeric', value: 1 }, 1).score).toBe(2)
    expect(gradeAnswer(strict, { kind: 'numeric', value: 1 }, 3).score).toBe(0)
  })

  it('multiple: partial credit, and each wrong pick cancels a right one', () => {
    expect(gradeAnswer(multiple, { kind: 'multiple', options: ['route', 'neigh'] }, 0)).toMatchObject({
      fraction: 1,
      score: 1,
      correct: true
    })
    expect(gradeAnswer(multiple, { kind: 'multiple', options: ['route'] }, 0)).toMatchObject({
      fraction: 0.5,
      score: 0.5,
      correct: false
    })
    const all = gradeAnswer(multiple, { kind: 'multiple', options: ['route', 'neigh', 'veth'] }, 0)
    expect(all).toMatchObject({ fraction: 0.5, feedback: [t('no veth between nodes')] })
    expect(gradeAnswer(multiple, { kind: 'multiple', options: ['veth'] }, 0).fraction).toBe(0)
  })

  it('ordering: credit for items in their place', () => {
    expect(gradeAnswer(ordering, { kind: 'ordering', order: ['a', 'b', 'c', 'd'] }, 0).correct).toBe(true)
    expect(gradeAnswer(ordering, { kind: 'ordering', order: ['a', 'b', 'd', 'c'] }, 0).fraction).toBe(0.5)
  })

  it('numeric: exact and with tolerance, with feedback for a known wrong value', () => {
    expect(gradeAnswer(numeric, { kind: 'numeric', value: 62 }, 0).correct).toBe(true)
    expect(gradeAnswer(numeric, { kind: 'numeric', value: 64 }, 0)).toMatchObject({
      correct: false,
      feedback: [t('that is the same node')]
    })
    expect(gradeAnswer(numeric, { kind: 'numeric', value: 63 }, 0).feedback).toEqual([])
    expect(gradeAnswer(tolerant, { kind: 'numeric', value: 0.58 }, 0).correct).toBe(true)
    expect(gradeAnswer(tolerant, { kind: 'numeric', value: 0.62 }, 0).correct).toBe(false)
  })

  it('text: anchored, case-insensitive, trimmed patterns with feedback for a known mistake', () => {
    expect(gradeAnswer(text, { kind: 'text', text: ' 8472 ' }, 0).correct).toBe(true)
    expect(gradeAnswer(text, { kind: 'text', text: '84721' }, 0).correct).toBe(false)
    expect(gradeAnswer(text, { kind: 'text', text: '4789' }, 0).feedback).toEqual([t('IANA, not Linux')])
    expect(gradeAnswer(text, { kind: 'text', text: 'x' }, 2).correctAnswer).toEqual({
      kind: 'text',
      text: '8472'
    })
  })

  it('hotspot: object ids, with feedback for a tempting wrong one', () => {
    expect(gradeAnswer(hotspot, { kind: 'hotspot', object: 'node-2/cni0' }, 0).correct).toBe(true)
    expect(gradeAnswer(hotspot, { kind: 'hotspot', object: 'node-2/flannel.1' }, 0).feedback).toEqual([
      t('that is the VTEP')
    ])
  })
})

describe('validateAnswer', () => {
  const cases: [Question, Answer, string | undefined][] = [
    [single, { kind: 'numeric', value: 1 }, 'wrong-kind'],
    [single, { kind: 'single', option: 'nope' }, 'unknown-option'],
    [multiple, { kind: 'multiple', options: ['route', 'route'] }, 'unknown-option'],
    [ordering, { kind: 'ordering', order: ['a', 'b', 'c'] }, 'incomplete-order'],
    [ordering, { kind: 'ordering', order: ['a', 'b', 'c', 'c'] }, 'incomplete-order'],
    [ordering, { kind: 'ordering', order: ['d', 'c', 'b', 'a'] }, undefined],
    [hotspot, { kind: 'hotspot', object: 'anything/at-all' }, undefined]
  ]
  it.each(cases)('%#', (question, answer, reason) => {
    expect(validateAnswer(question, answer)).toBe(reason)
  })
})
