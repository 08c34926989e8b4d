import { describe, expect, test } from 'vitest'
import { call, failure, withService } from './api-call.ts'

interface DueItem {
  itemId: string
  lessonId: string
  lessonTitle: { en: string; 'zh-CN': string }
  questionId: string
  question: Record<string, unknown> & { id: string; kind: string }
  dueAt: string
}
interface Due {
  items: DueItem[]
  total: number
  nextDueAt: string | null
}
interface Answered {
  grading: { correct: boolean; finished: boolean; feedback: { en: string }[]; explanation?: { en: string } }
  nextDueAt: string
}

describe('the review queue through the API', () => {
  test('a wrong tour answer is due once the lesson finished it, without its key; a miss keeps it due, a recall schedules it later', async () => {
    await withService(async (service, learnerId) => {
      const ref = { learnerId, lessonId: 'tour' }
      expect(await call<Due>(service, 'review:due', { learnerId })).toEqual({
        items: [],
        total: 0,
        nextDueAt: null
      })

      // Walk the tour to its trace step, whose pinned question is answered wrong once.
      await call(service, 'lesson:open', ref)
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      await call(service, 'shell:exec', { ...ref, on: 'client', line: 'ip addr' })
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.predict', value: 62 } })
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      const wrong = await call<{ grading: { correct: boolean } | null }>(service, 'quiz:submit', {
        ...ref,
        questionId: 'outer-source',
        answer: { kind: 'text', text: '10.244.1.2' }
      })
      expect(wrong.grading?.correct).toBe(false)
      // Queued, but the lesson still offers tries: reviewing it now would give its key away.
      expect(await call<Due>(service, 'review:due', { learnerId })).toEqual({
        items: [],
        total: 0,
        nextDueAt: null
      })
      await call(service, 'quiz:submit', {
        ...ref,
        questionId: 'outer-source',
        answer: { kind: 'text', text: '192.168.56.11' }
      })

      const due = await call<Due>(service, 'review:due', { learnerId })
      expect(due.total).toBe(1)
      const [item] = due.items
      expect(item).toMatchObject({
        lessonId: 'tour',
        questionId: 'outer-source',
        lessonTitle: { en: 'A tour of Podnet Lab', 'zh-CN': 'Podnet Lab 导览' }
      })
      expect(item?.question).toMatchObject({ id: 'outer-source', kind: 'text' })
      for (const key of ['accept', 'modelAnswer', 'explanation', 'feedback', 'answer']) {
        expect(item?.question, key).not.toHaveProperty(key)
      }
      expect(JSON.stringify(due)).not.toContain('192.168.56.11')
      const itemId = item?.itemId as string

      const missed = await call<Answered>(service, 'review:answer', {
        learnerId,
        itemId,
        answer: { kind: 'text', text: '10.244.1.2' }
      })
      expect(missed.grading.correct).toBe(false)
      expect(missed.grading.finished).toBe(true)
      expect(missed.grading.feedback[0]?.en).toMatch(/inner source/)
      expect(missed.grading.explanation?.en).toMatch(/192\.168\.56\.11/)
      expect(Date.parse(missed.nextDueAt)).toBeLessThanOrEqual(Date.now())
      expect((await call<Due>(service, 'review:due', { learnerId })).items.map((i) => i.itemId)).toEqual([
        itemId
      ])

      const before = Date.now()
      const recalled = await call<Answered>(service, 'review:answer', {
        learnerId,
        itemId,
        answer: { kind: 'text', text: '192.168.56.11' }
      })
      expect(recalled.grading.correct).toBe(true)
      expect(Date.parse(recalled.nextDueAt)).toBeGreaterThanOrEqual(before + 86_400_000)
      // Nothing due now, and the queue says when the recalled question comes back.
      expect(await call<Due>(service, 'review:due', { learnerId })).toEqual({
        items: [],
        total: 0,
        nextDueAt: recalled.nextDueAt
      })
    })
  })

  test('an unknown item and another learner’s item are refused by name; answers must fit the question', async () => {
    await withService(async (service, learnerId) => {
      const ref = { learnerId, lessonId: 'tour' }
      await call(service, 'lesson:open', ref)
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      await call(service, 'shell:exec', { ...ref, on: 'client', line: 'ip addr' })
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.predict', value: 62 } })
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      await call(service, 'quiz:submit', {
        ...ref,
        questionId: 'outer-source',
        answer: { kind: 'text', text: 'no idea' }
      })
      await call(service, 'quiz:submit', {
        ...ref,
        questionId: 'outer-source',
        answer: { kind: 'text', text: '192.168.56.11' }
      })
      const [item] = (await call<Due>(service, 'review:due', { learnerId })).items
      const itemId = item?.itemId as string

      const unknown = await failure(service, 'review:answer', {
        learnerId,
        itemId: 'no-such-item',
        answer: { kind: 'text', text: 'x' }
      })
      expect(unknown).toEqual({
        code: 'not_found',
        message: expect.stringContaining('"no-such-item"') as string,
        reason: { id: 'review_item_unknown', params: { itemId: 'no-such-item' } }
      })

      const bob = await call<{ id: string }>(service, 'profiles:create', { name: 'Bob' })
      expect(await call<Due>(service, 'review:due', { learnerId: bob.id })).toEqual({
        items: [],
        total: 0,
        nextDueAt: null
      })
      const foreign = await failure(service, 'review:answer', {
        learnerId: bob.id,
        itemId,
        answer: { kind: 'text', text: '192.168.56.11' }
      })
      expect(foreign.code).toBe('not_found')
      expect(foreign.message).toContain(itemId)

      const wrongKind = await failure(service, 'review:answer', {
        learnerId,
        itemId,
        answer: { kind: 'single', option: 'cni0' }
      })
      expect(wrongKind.code).toBe('invalid_input')
      expect(wrongKind.message).toMatch(/wrong-kind.*outer-source/)
      // Neither refusal graded the item: it is still due for its learner.
      expect((await call<Due>(service, 'review:due', { learnerId })).total).toBe(1)
    })
  })
})
