import { beforeAll, describe, expect, test } from 'vitest'
import type { Dashboard, LearnerState } from '../../src-main/api/classroom-contract.ts'
import {
  HEARTBEAT_MS,
  OFFLINE_WITHIN_MS,
  PRESENCE_CHECK_MS,
  SILENT_OFFLINE_MS
} from '../../src-main/api/presence.ts'
import { STUCK_RULE } from '../../src-main/api/classroom-contract.ts'
import { questionsOf } from '../../src-main/core/lesson/lesson.machine.ts'
import { correctAnswer } from '../../src-main/core/lesson/quiz.ts'
import {
  classroomHostForSuite,
  learnerCall,
  loadLesson,
  ok,
  playLesson,
  post,
  type Joined
} from './classroom-host.ts'

/** The class host over a real SQLite file in a temp folder, on a clock the test moves. */
describe('the dashboard reads answers, presence and "stuck" as they are', () => {
  const h = classroomHostForSuite('podnet-class-honest-', { now: () => clock })
  let clock = Date.parse('2026-11-25T09:00:00Z')
  let origin: string
  let classId: string
  let joinCode: string

  const dashboard = (): Promise<Dashboard> =>
    ok<Dashboard>(origin, 'class:dashboard', { classId }, h.instructorToken)
  const learner = async (name: string): Promise<LearnerState> => {
    const found = (await dashboard()).learners.find((l) => l.name === name)
    if (!found) throw new Error(`${name} is not on the dashboard`)
    return found
  }
  const join = (name: string): Promise<Joined> => ok<Joined>(origin, 'class:join', { code: joinCode, name })
  const heartbeat = (joined: Joined): Promise<unknown> =>
    ok(origin, 'class:heartbeat', {}, joined.learnerToken)
  /** The page stays open for `ms`: a heartbeat every HEARTBEAT_MS, the host checking as it does. */
  const stayOpen = async (joined: Joined, ms: number): Promise<void> => {
    for (let waited = 0; waited < ms; waited += HEARTBEAT_MS) {
      clock += HEARTBEAT_MS
      await heartbeat(joined)
      h.classroom.tick()
    }
  }

  beforeAll(async () => {
    origin = h.host.origin
    ;({ classId, joinCode } = await ok<{ classId: string; joinCode: string }>(
      origin,
      'class:start',
      { name: 'Honest' },
      h.instructorToken
    ))
  })

  test('a distribution counts each learner’s latest answer once, and their first answers apart', async () => {
    const tour = loadLesson('tour')
    const ada = await join('Ada')
    const bo = await join('Bo')
    await playLesson(learnerCall(origin, ada), tour, (questionId) =>
      questionId === 'outer-source' ? { kind: 'text', text: '10.244.1.2' } : null
    )
    await playLesson(learnerCall(origin, bo), tour)

    const question = (await dashboard()).questions.find((q) => q.questionId === 'outer-source')
    const right = JSON.stringify({ kind: 'text', text: '192.168.56.11' })
    const wrong = JSON.stringify({ kind: 'text', text: '10.244.1.2' })
    expect(question).toMatchObject({ answered: 2, firstAttemptCorrect: 0.5 })
    expect(question?.answers).toEqual([{ answer: right, correct: true, count: 2, learners: ['Ada', 'Bo'] }])
    expect(question?.firstAnswers).toEqual([
      { answer: wrong, correct: false, count: 1, learners: ['Ada'] },
      { answer: right, correct: true, count: 1, learners: ['Bo'] }
    ])
    expect(await learner('Ada')).toMatchObject({ lessonsCompleted: 1, completed: true, passed: true })
    // Moving on to the next lesson leaves the finished one counted, for the projector's "finished".
    await ok(
      origin,
      'lesson:open',
      { learnerId: ada.learnerId, lessonId: 'pod-on-the-wire' },
      ada.learnerToken
    )
    expect(await learner('Ada')).toMatchObject({
      completed: false,
      lessonsCompleted: 1,
      completedLessons: ['tour']
    })
  })

  test('the outline names lessons, steps and questions for the instructor, and only for them', async () => {
    const { lessons } = await ok<{
      lessons: {
        id: string
        title: { en: string }
        steps: { id: string; questions: { id: string; prompt: { en: string } }[] }[]
      }[]
    }>(origin, 'lessons:outline', {}, h.instructorToken)
    const tour = lessons.find((l) => l.id === 'tour')
    expect(tour?.title.en).toBe('A tour of Podnet Lab')
    const trace = tour?.steps.find((s) => s.id === 'follow-the-packet')
    expect(trace?.questions[0]?.prompt.en).toMatch(/^flannel\.1 is about to wrap the packet/)
    expect(JSON.stringify(lessons)).not.toContain('192\\\\.168')
    const lurker = await join('Lurker')
    expect((await post(origin, 'lessons:outline', {}, lurker.learnerToken)).status).toBe(403)
  })

  test(`an open page stays online; a closed one shows offline within ${OFFLINE_WITHIN_MS / 1000} s`, async () => {
    const cy = await join('Cy')
    await stayOpen(cy, 5 * HEARTBEAT_MS)
    expect((await learner('Cy')).online).toBe(true)
    // The page closes right after a heartbeat: silence from here on.
    clock += SILENT_OFFLINE_MS
    h.classroom.tick()
    expect((await learner('Cy')).online).toBe(true)
    clock += PRESENCE_CHECK_MS
    h.classroom.tick()
    expect((await learner('Cy')).online).toBe(false)
    await heartbeat(cy)
    expect((await learner('Cy')).online).toBe(true)
  })

  test('time on a step counts only while the page is open, and a solved step is never stuck', async () => {
    const dee = await join('Dee')
    const act = learnerCall(origin, dee)
    await act('lesson:open', { lessonId: 'tour' })
    await act('lesson:send', { lessonId: 'tour', event: { type: 'user.next' } })
    await stayOpen(dee, 5 * 60_000)
    // Away for ten minutes: the time on the step stops at the last heartbeat.
    clock += 10 * 60_000
    h.classroom.tick()
    expect(await learner('Dee')).toMatchObject({
      online: false,
      stepId: 'look-around',
      timeOnStepMs: 5 * 60_000,
      stuck: false
    })
    await heartbeat(dee)
    await stayOpen(dee, (STUCK_RULE.minutesOnStep - 5) * 60_000)
    expect(await learner('Dee')).toMatchObject({ stuck: true, stuckReasons: ['time'] })

    for (let i = 0; i < STUCK_RULE.failedAttempts; i++)
      await act('shell:exec', { lessonId: 'tour', on: 'client', line: 'ip link show nosuch0' })
    expect(await learner('Dee')).toMatchObject({
      stuck: true,
      stuckReasons: ['commands', 'time'],
      lastFailure: { kind: 'command', command: 'ip link show nosuch0', exitCode: 1 }
    })

    await act('shell:exec', { lessonId: 'tour', on: 'client', line: 'ip addr' })
    await stayOpen(dee, 60_000)
    expect(await learner('Dee')).toMatchObject({
      stepId: 'look-around',
      stepSolved: true,
      timingSince: null,
      stuck: false,
      stuckReasons: []
    })
  })

  test('wrong answers are a reason of their own, with the last wrong answer to walk over with', async () => {
    const eve = await join('Eve')
    const act = learnerCall(origin, eve)
    const tour = loadLesson('tour')
    await act('lesson:open', { lessonId: 'tour' })
    for (const step of tour.lesson.steps) {
      if (step.kind === 'quiz') break
      if (step.kind === 'task')
        for (const s of step.solution)
          if ('run' in s) await act('shell:exec', { lessonId: 'tour', on: s.on, line: s.run })
          else await act('trace:run', { lessonId: 'tour', trace: s.trace })
      if (step.kind === 'predict')
        await act('lesson:send', {
          lessonId: 'tour',
          event: { type: 'user.predict', value: step.prediction.answer }
        })
      for (const question of questionsOf(step))
        await act('quiz:submit', {
          lessonId: 'tour',
          questionId: question.id,
          answer: correctAnswer(question)
        })
      await act('lesson:send', { lessonId: 'tour', event: { type: 'user.next' } })
    }
    const single = { kind: 'single', option: 'flannel' }
    await act('quiz:submit', { lessonId: 'tour', questionId: 'pod-gateway', answer: single })
    await act('quiz:submit', {
      lessonId: 'tour',
      questionId: 'pod-gateway',
      answer: { kind: 'single', option: 'node' }
    })
    expect((await learner('Eve')).stuck).toBe(false)
    const multiple = { kind: 'multiple', options: ['per-pod-arp'] }
    await act('quiz:submit', { lessonId: 'tour', questionId: 'flannel-programs', answer: multiple })
    expect(await learner('Eve')).toMatchObject({
      stepId: 'quiz',
      stuckReasons: ['answers'],
      lastFailure: { kind: 'answer', questionId: 'flannel-programs', answer: JSON.stringify(multiple) }
    })
  })
})
