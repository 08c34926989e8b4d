import { describe, expect, test } from 'vitest'
import type { ClassEvent, Dashboard } from '../../src-main/api/classroom-contract.ts'
import { applyClassEvent, clock } from '../../src-renderer/src/lib/classroom/dashboard-events.ts'
import { anonymousEvent } from '../../src-main/classroom/anonymous-feed.ts'

const snapshot: Dashboard = {
  classId: 'cls_abcdefgh',
  name: 'Room 4',
  status: 'open',
  joinCode: 'K7M2QX',
  at: '2026-11-26T01:00:00.000Z',
  learners: [],
  stuckCount: 0,
  questions: [],
  lessons: [],
  newLessons: 'enabled',
  studentId: 'optional'
}

function fold(events: ClassEvent[]): Dashboard {
  const result = events.reduce<Dashboard | null>((d, e) => applyClassEvent(d, e), null)
  if (!result) throw new Error('no snapshot in the feed')
  return result
}

const at = (s: number): string => new Date(Date.parse(snapshot.at) + s * 1000).toISOString()

const feed: ClassEvent[] = [
  { type: 'snapshot', dashboard: snapshot },
  { type: 'learner-joined', at: at(1), learnerId: 'learner-a', name: 'Ana', seatCode: 'AAAAAA' },
  { type: 'learner-joined', at: at(2), learnerId: 'learner-b', name: 'Bo', seatCode: 'BBBBBB' },
  {
    type: 'step-changed',
    at: at(3),
    learnerId: 'learner-a',
    lessonId: 'l1',
    stepId: 'quiz',
    completed: false
  },
  {
    type: 'attempt',
    at: at(4),
    learnerId: 'learner-a',
    lessonId: 'l1',
    stepId: 'quiz',
    questionId: 'q1',
    kind: 'quiz',
    answer: '"b"',
    justification: null,
    correct: false,
    attemptNo: 1
  },
  {
    type: 'attempt',
    at: at(5),
    learnerId: 'learner-a',
    lessonId: 'l1',
    stepId: 'quiz',
    questionId: 'q1',
    kind: 'quiz',
    answer: '"a"',
    justification: null,
    correct: true,
    attemptNo: 2
  },
  {
    type: 'attempt',
    at: at(6),
    learnerId: 'learner-b',
    lessonId: 'l1',
    stepId: 'quiz',
    questionId: 'q1',
    kind: 'quiz',
    answer: '"a"',
    justification: null,
    correct: true,
    attemptNo: 1
  },
  {
    type: 'question-stats',
    at: at(6),
    question: {
      lessonId: 'l1',
      questionId: 'q1',
      kind: 'quiz',
      answered: 2,
      firstAttemptCorrect: 0.5,
      answers: [{ answer: '"a"', correct: true, count: 2, learners: ['Ana', 'Bo'] }],
      firstAnswers: [
        { answer: '"a"', correct: true, count: 1, learners: ['Bo'] },
        { answer: '"b"', correct: false, count: 1, learners: ['Ana'] }
      ]
    }
  },
  { type: 'hint-used', at: at(7), learnerId: 'learner-a', lessonId: 'l1', stepId: 'quiz', kind: 'static' },
  // The host follows each call with the learner's whole state: counters come from there.
  {
    type: 'learner-state',
    at: at(7),
    learner: {
      learnerId: 'learner-a',
      name: 'Ana',
      seatCode: 'AAAAAA',
      studentId: '',
      online: true,
      joinedAt: at(1),
      lessonId: 'l1',
      stepId: 'quiz',
      completed: false,
      stepSince: at(3),
      timeOnStepMs: 4000,
      timingSince: at(7),
      stepSolved: true,
      failedAttempts: 1,
      hintsUsed: 1,
      stuck: false,
      stuckReasons: [],
      lastFailure: { kind: 'answer', questionId: 'q1', answer: '"b"', justification: null },
      lessonsCompleted: 0,
      completedLessons: [],
      score: 0.67,
      passed: false
    }
  }
]

describe('the live dashboard folds the pushed events', () => {
  test('joins add rows; a step change moves the learner and restarts their step counters', () => {
    const d = fold(feed)
    expect(d.learners.map((l) => l.name)).toEqual(['Ana', 'Bo'])
    const ana = d.learners.find((l) => l.name === 'Ana')
    expect(ana).toMatchObject({
      lessonId: 'l1',
      stepId: 'quiz',
      stepSince: at(3),
      failedAttempts: 1,
      hintsUsed: 1
    })
    const moved = applyClassEvent(d, {
      type: 'step-changed',
      at: at(9),
      learnerId: 'learner-a',
      lessonId: 'l1',
      stepId: 'trace',
      completed: false
    })
    expect(moved?.learners.find((l) => l.name === 'Ana')).toMatchObject({
      stepId: 'trace',
      stepSince: at(9),
      failedAttempts: 0,
      hintsUsed: 0
    })
  })

  test('a question’s distribution is the host’s latest count of it, latest and first answers apart', () => {
    const [q1] = fold(feed).questions
    expect(q1).toMatchObject({ questionId: 'q1', answered: 2, firstAttemptCorrect: 0.5 })
    expect(q1?.answers).toEqual([{ answer: '"a"', correct: true, count: 2, learners: ['Ana', 'Bo'] }])
    expect(q1?.firstAnswers.map((a) => [a.answer, a.count])).toEqual([
      ['"a"', 1],
      ['"b"', 1]
    ])
  })

  test('the projector’s feed, as the host sends it, folds to a copy with no names that still counts', () => {
    const d = fold(feed.map(anonymousEvent))
    expect(d.learners).toHaveLength(2)
    expect(d.learners.every((l) => l.name === '')).toBe(true)
    expect(d.questions[0]?.answers.map((a) => [a.count, a.learners])).toEqual([[2, []]])
    expect(d.questions[0]?.firstAnswers.every((a) => a.learners.length === 0)).toBe(true)
    expect(JSON.stringify(d)).not.toMatch(/Ana|Bo\b/)
  })

  test('stuck counts follow the learner-state events, and a closed class says so', () => {
    const ana = fold(feed).learners[0]
    if (!ana) throw new Error('Ana missing')
    const stuck = fold([
      ...feed,
      { type: 'learner-state', at: at(8), learner: { ...ana, stuck: true, stuckReasons: ['answers'] } }
    ])
    expect(stuck.stuckCount).toBe(1)
    const closed = applyClassEvent(stuck, { type: 'class-closed', at: at(9) })
    expect(closed?.status).toBe('closed')
  })

  test('events before any snapshot are ignored: the first message of a stream is always one', () => {
    expect(applyClassEvent(null, feed[1] as ClassEvent)).toBeNull()
  })

  test('times read as a person would say them', () => {
    expect(clock(0)).toBe('0:00')
    expect(clock(61_500)).toBe('1:01')
    expect(clock(6 * 60_000)).toBe('6:00')
  })
})
