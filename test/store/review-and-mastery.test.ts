import { describe, expect, it } from 'vitest'
import { sm2, type AttemptInput, type ProgressStore } from '../../src-main/store/index.ts'
import { openTempStore, seedLearner } from './helpers.ts'

const DAY = 86_400_000

function answer(
  store: ProgressStore,
  learnerId: string,
  lessonId: string,
  questionId: string,
  score: number
): void {
  const input: AttemptInput = {
    learnerId,
    lessonId,
    stepId: `step-${questionId}`,
    questionId,
    kind: questionId.startsWith('p-') ? 'prediction' : 'quiz',
    answer: { pick: questionId },
    correct: score === 1,
    score,
    hintsUsed: 0,
    durationMs: 1000
  }
  store.attempts.record(input)
}

describe('SM-2 scheduling', () => {
  it('follows the published intervals 1, 6, then interval × E-Factor', () => {
    let s = { easiness: 2.5, repetitions: 0, intervalDays: 0 }
    const intervals: number[] = []
    for (const grade of [5, 5, 5, 4]) {
      s = sm2(s, grade)
      intervals.push(s.intervalDays)
    }
    // EF after three 5s is 2.8; 6 × 2.7 (EF before the third review) rounds to 16; then 16 × 2.8 → 45.
    expect(intervals).toEqual([1, 6, 16, 45])
    expect(s.easiness).toBeCloseTo(2.8, 10)
  })

  it('restarts repetitions below grade 3 without changing the E-Factor, and never lets it drop below 1.3', () => {
    const after = sm2({ easiness: 2.2, repetitions: 4, intervalDays: 30 }, 2)
    expect(after).toEqual({ easiness: 2.2, repetitions: 0, intervalDays: 1 })
    let s = { easiness: 1.4, repetitions: 0, intervalDays: 0 }
    for (let i = 0; i < 5; i++) s = sm2(s, 3)
    expect(s.easiness).toBe(1.3)
    expect(() => sm2(s, 6)).toThrow(RangeError)
  })
})

describe('quiz attempts and the review queue', () => {
  it('numbers attempts per question and queues a wrong answer for review, due at once', () => {
    const { store, clock } = openTempStore()
    const id = store.profiles.create('Ada').id
    answer(store, id, 'l1', 'q1', 0)
    answer(store, id, 'l1', 'q1', 1)
    answer(store, id, 'l1', 'q2', 1)
    answer(store, id, 'l1', 'p-ttl', 0)
    expect(store.attempts.list(id).map((a) => [a.questionId, a.attemptNo, a.correct])).toEqual([
      ['q1', 1, false],
      ['q1', 2, true],
      ['q2', 1, true],
      ['p-ttl', 1, false]
    ])
    const due = store.review.due(id)
    expect(due.map((r) => [r.questionId, r.source, r.dueAt])).toEqual([
      ['q1', 'quiz', clock.now()],
      ['p-ttl', 'prediction', clock.now()]
    ])
  })

  it('reschedules with SM-2 when graded and brings the item back when it is due', () => {
    const { store, clock } = openTempStore()
    const id = store.profiles.create('Ada').id
    answer(store, id, 'l1', 'q1', 0)
    const [item] = store.review.due(id)
    const first = store.review.grade(item!.id, 4)
    expect(first).toMatchObject({ repetitions: 1, intervalDays: 1, dueAt: clock.now() + DAY, lastGrade: 4 })
    expect(store.review.due(id)).toEqual([])
    clock.advance(DAY)
    const second = store.review.grade(item!.id, 5)
    expect(second).toMatchObject({ repetitions: 2, intervalDays: 6, dueAt: clock.now() + 6 * DAY })
    clock.advance(6 * DAY)
    expect(store.review.due(id).map((r) => r.id)).toEqual([item!.id])
    expect(() => store.review.grade(item!.id, 9)).toThrow(
      expect.objectContaining({ code: 'invalid' }) as Error
    )
    expect(() => store.review.grade('nope', 3)).toThrow(
      expect.objectContaining({ code: 'not-found' }) as Error
    )
  })

  it('makes a reviewed item due again, from the start, when the learner gets it wrong again in a lesson', () => {
    const { store, clock } = openTempStore()
    const id = store.profiles.create('Ada').id
    answer(store, id, 'l1', 'q1', 0)
    const item = store.review.due(id)[0]!
    store.review.grade(item.id, 5)
    store.review.grade(item.id, 5)
    clock.advance(DAY)
    answer(store, id, 'l1', 'q1', 0)
    expect(store.review.list(id)).toEqual([
      expect.objectContaining({ id: item.id, repetitions: 0, dueAt: clock.now(), intervalDays: 0 })
    ])
  })
})

describe('progress summary', () => {
  it('gives per-lesson status and score, including lessons only opened', () => {
    const { store, clock } = openTempStore()
    const id = seedLearner(store, clock)
    const summary = store.summary.progressSummary(id, {
      '01-pods': { topics: ['pods'] },
      '02-bridge': { topics: ['bridge'] }
    })
    expect(summary.lessons).toEqual([
      expect.objectContaining({
        lessonId: '01-pods',
        status: 'completed',
        score: 0.75,
        passed: true,
        firstAttemptScore: 0,
        questionsAnswered: 1,
        timeSpentMs: 3000
      }),
      expect.objectContaining({
        lessonId: '02-bridge',
        status: 'opened',
        score: null,
        stepId: null,
        lastOpenedAt: clock.now()
      })
    ])
  })

  it('computes topic mastery as the mean first-attempt score over the untagged questions of every lesson with the tag', () => {
    const { store } = openTempStore()
    const id = store.profiles.create('Ada').id
    answer(store, id, 'l1', 'q1', 1)
    answer(store, id, 'l1', 'q2', 0)
    answer(store, id, 'l1', 'q2', 1) // a retry: not a first attempt, so it does not count
    answer(store, id, 'l2', 'q1', 0.5)
    const summary = store.summary.progressSummary(id, {
      l1: { topics: ['routing', 'veth'] },
      l2: { topics: ['routing'] },
      l3: { topics: ['vxlan'] }
    })
    expect(summary.topics).toEqual([
      { topic: 'routing', mastery: 0.5, questions: 3 },
      { topic: 'veth', mastery: 0.5, questions: 2 },
      { topic: 'vxlan', mastery: null, questions: 0 }
    ])
  })

  it('counts a tagged question towards its own topic only, in a lesson that mixes topics', () => {
    const { store } = openTempStore()
    const id = store.profiles.create('Ada').id
    answer(store, id, 'exam', 'q-mtu', 0)
    answer(store, id, 'exam', 'q-veth', 1)
    answer(store, id, 'exam', 'q-bridge', 1)
    answer(store, id, 'exam', 'q-warm-up', 0.5)
    answer(store, id, 'pods', 'q-pair', 1)
    const summary = store.summary.progressSummary(id, {
      pods: { topics: ['veth'] },
      exam: {
        topics: ['mtu', 'veth', 'bridge'],
        questions: { 'q-mtu': 'mtu', 'q-veth': 'veth', 'q-bridge': 'bridge' }
      }
    })
    expect(summary.topics).toEqual([
      { topic: 'bridge', mastery: 0.75, questions: 2 },
      { topic: 'mtu', mastery: 0.25, questions: 2 },
      { topic: 'veth', mastery: 2.5 / 3, questions: 3 }
    ])
    expect(summary.lessons).toMatchObject([
      { lessonId: 'exam', firstAttemptScore: 2.5 / 4, questionsAnswered: 4 },
      { lessonId: 'pods', firstAttemptScore: 1, questionsAnswered: 1 }
    ])
  })

  it("builds the class report from every learner's own summary", () => {
    const { store, clock } = openTempStore()
    const ada = seedLearner(store, clock, 'Ada')
    const bob = store.profiles.create('bob').id
    answer(store, bob, '01-pods', 'q-veth', 1)
    const topics = { '01-pods': { topics: ['pods'] } }
    const report = store.summary.classReport(topics)
    expect(report.map((r) => r.learner.name)).toEqual(['Ada', 'bob'])
    expect(report[0]).toEqual({
      learner: store.profiles.get(ada),
      ...store.summary.progressSummary(ada, topics)
    })
    expect(report[1]!.topics).toEqual([{ topic: 'pods', mastery: 1, questions: 1 }])
    expect(report[1]!.lessons[0]).toMatchObject({
      lessonId: '01-pods',
      status: 'opened',
      questionsAnswered: 1
    })
  })
})
