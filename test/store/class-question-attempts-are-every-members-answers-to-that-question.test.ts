import { expect, test } from 'vitest'
import { openTempStore } from './helpers.ts'

test("a question's class attempts are every member's answers to it, oldest first, and nobody else's", () => {
  const { store, clock } = openTempStore()
  const cls = store.classes.create({
    id: 'class-1',
    name: 'Morning',
    joinCode: 'ABC123',
    lessons: [{ lessonId: 'tour', state: 'enabled' }],
    newLessons: 'enabled',
    studentId: 'optional'
  })
  let seat = 0
  const join = (name: string): string =>
    store.classes.join({
      classId: cls.id,
      displayName: name,
      studentId: '',
      tokenHash: `hash-${name}`,
      newSeatCode: () => `SEAT${++seat}`
    }).learnerId
  const ada = join('Ada')
  const bea = join('Bea')
  const outsider = store.profiles.create('Outsider').id
  const answer = (learnerId: string, lessonId: string, questionId: string, value: number): void => {
    clock.advance(1000)
    store.attempts.record({
      learnerId,
      lessonId,
      stepId: 'quiz',
      questionId,
      kind: 'quiz',
      answer: { kind: 'numeric', value },
      correct: value === 64,
      score: value === 64 ? 1 : 0,
      hintsUsed: 0,
      durationMs: 0
    })
  }
  answer(bea, 'tour', 'ttl', 63)
  answer(ada, 'tour', 'mtu', 1500)
  answer(outsider, 'tour', 'ttl', 64)
  answer(ada, 'tour', 'ttl', 64)
  answer(bea, 'other', 'ttl', 64)
  answer(bea, 'tour', 'ttl', 64)

  const ttl = store.classes.questionAttempts(cls.id, 'tour', 'ttl')
  expect(ttl.map((a) => [a.learnerId, a.attemptNo, a.answerJson])).toEqual([
    [bea, 1, '{"kind":"numeric","value":63}'],
    [ada, 1, '{"kind":"numeric","value":64}'],
    [bea, 2, '{"kind":"numeric","value":64}']
  ])
  expect(ttl).toEqual(
    store.classes.attempts(cls.id).filter((a) => a.lessonId === 'tour' && a.questionId === 'ttl')
  )
})
