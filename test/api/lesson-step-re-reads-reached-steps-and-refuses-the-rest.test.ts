import { describe, expect, test } from 'vitest'
import { call, failure, withService } from './api-call.ts'

interface Grading {
  attempt: number
  correct: boolean
  answer?: { kind: string; text?: string }
  correctAnswer?: unknown
}
interface Reviewed {
  stepId: string
  step: {
    kind: string
    solved?: boolean
    prediction?: number
    reveal?: { correct: boolean }
    questions?: { question: { id: string }; gradings: Grading[] }[]
  }
}
interface Session {
  current: string
  completed: boolean
}

describe('lesson:step', () => {
  test('a past step comes back as the learner left it, answers included; the lesson does not move', async () => {
    await withService(async (service, learnerId) => {
      const ref = { learnerId, lessonId: 'tour' }
      await call(service, 'lesson:open', ref)
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      await call(service, 'shell:exec', { ...ref, on: 'client', line: 'ip addr' })
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.predict', value: 63 } })
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
      for (const text of ['10.244.1.2', '192.168.56.11'])
        await call(service, 'quiz:submit', {
          ...ref,
          questionId: 'outer-source',
          answer: { kind: 'text', text }
        })
      await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })

      const task = await call<Reviewed>(service, 'lesson:step', { ...ref, stepId: 'look-around' })
      expect(task).toMatchObject({ stepId: 'look-around', step: { kind: 'task', solved: true } })
      const predicted = await call<Reviewed>(service, 'lesson:step', { ...ref, stepId: 'predict-ttl' })
      expect(predicted.step).toMatchObject({ kind: 'predict', prediction: 63, reveal: { correct: false } })
      const traced = await call<Reviewed>(service, 'lesson:step', { ...ref, stepId: 'follow-the-packet' })
      expect(traced.step.questions?.[0]?.gradings).toMatchObject([
        { attempt: 1, correct: false, answer: { kind: 'text', text: '10.244.1.2' } },
        { attempt: 2, correct: true, answer: { kind: 'text', text: '192.168.56.11' } }
      ])

      const session = (await call<{ session: Session }>(service, 'lesson:open', ref)).session
      expect(session).toMatchObject({ current: 'predict-endpoint', completed: false })
    })
  })

  test('a step not reached yet is refused like an unknown one, and nothing of its keys leaves', async () => {
    await withService(async (service, learnerId) => {
      const ref = { learnerId, lessonId: 'tour' }
      await call(service, 'lesson:open', ref)
      for (const stepId of ['quiz', 'follow-the-packet', 'no-such-step']) {
        const refused = await failure(service, 'lesson:step', { ...ref, stepId })
        expect(refused.code).toBe('not_found')
        expect(refused.message).not.toMatch(/192\.168\.56\.11|cni0|8472/)
      }
      const current = await call<Reviewed>(service, 'lesson:step', { ...ref, stepId: 'welcome' })
      expect(current.step).toEqual({ kind: 'read' })
      expect((await failure(service, 'lesson:step', { ...ref, stepId: 'x'.repeat(81) })).code).toBe(
        'invalid_input'
      )
      expect(
        (await failure(service, 'lesson:step', { ...ref, lessonId: 'final-exam', stepId: 'welcome' })).code
      ).toBe('not_found')
    })
  })
})
