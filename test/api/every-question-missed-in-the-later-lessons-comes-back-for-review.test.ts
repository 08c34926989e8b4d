import { describe, expect, test } from 'vitest'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import type { Service } from '../../src-main/api/service.ts'
import { loadCourse, type LoadedLesson } from '../../src-main/core/lesson/course-loader.ts'
import { questionsOf } from '../../src-main/core/lesson/lesson.machine.ts'
import type { Question } from '../../src-main/core/lesson/lesson.schema.ts'
import { keyedPrediction } from '../../src-main/core/lesson/prediction.ts'
import { correctAnswer, type Answer } from '../../src-main/core/lesson/quiz.ts'
import { call, lessonsDir, withService } from './api-call.ts'

const course = loadCourse(lessonFilesFromDir(lessonsDir)).lessons.flatMap((entry) =>
  entry.status === 'available' ? [entry.lesson] : []
)

/** A wrong answer of the question's kind, built from its key so it can never be right. */
function wrongAnswer(question: Question): Answer {
  switch (question.kind) {
    case 'single':
      return { kind: 'single', option: question.options.find((o) => !o.correct)?.id ?? '' }
    case 'multiple':
      return { kind: 'multiple', options: [question.options.find((o) => !o.correct)?.id ?? ''] }
    case 'ordering':
      return { kind: 'ordering', order: question.items.map((i) => i.id).reverse() }
    case 'numeric':
      return { kind: 'numeric', value: question.answer + question.tolerance + 1 }
    case 'text':
      return { kind: 'text', text: 'no idea' }
    case 'hotspot':
      return { kind: 'hotspot', object: 'nowhere' }
  }
}

/** Walks the lesson from its keys, each question answered wrong once and then right. */
async function walkMissingEveryQuestionOnce(
  service: Service,
  learnerId: string,
  loaded: LoadedLesson
): Promise<void> {
  const ref = { learnerId, lessonId: loaded.lesson.id }
  let session = (
    await call<{ session: { current: string; completed: boolean } }>(service, 'lesson:open', ref)
  ).session
  for (const step of loaded.lesson.steps) {
    expect(session.current).toBe(step.id)
    if (step.kind === 'task') {
      for (const solution of step.solution) {
        if ('run' in solution)
          await call(service, 'shell:exec', { ...ref, on: solution.on, line: solution.run })
        else await call(service, 'trace:run', { ...ref, trace: solution.trace })
      }
    }
    if (step.kind === 'predict') await call(service, 'lesson:send', { ...ref, event: keyedPrediction(step) })
    for (const question of questionsOf(step)) {
      for (const answer of [wrongAnswer(question), correctAnswer(question)])
        await call(service, 'quiz:submit', { ...ref, questionId: question.id, answer })
    }
    session = await call(service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
  }
  expect(session.completed).toBe(true)
}

describe('the review queue takes the questions of the lessons after the labs and of the exam', () => {
  test.each([
    'three-proxy-modes',
    'build-it-yourself',
    'incidents-underlay',
    'cluster-dns',
    'egress',
    'network-policy',
    'host-ports',
    'incident-wrong-interface',
    'capstone',
    'final-exam'
  ])(
    '%s: every question missed once is due for review under the lesson’s title',
    async (lessonId) => {
      const loaded = course.find((lesson) => lesson.lesson.id === lessonId)
      expect(loaded, `${lessonId} is in the course`).toBeDefined()
      const lesson = (loaded as LoadedLesson).lesson
      const questionIds = lesson.steps.flatMap(questionsOf).map((q) => q.id)
      expect(questionIds.length).toBeGreaterThan(0)

      await withService(async (service, learnerId) => {
        await walkMissingEveryQuestionOnce(service, learnerId, loaded as LoadedLesson)
        const due = await call<{
          items: { lessonId: string; questionId: string; lessonTitle: { en: string } }[]
        }>(service, 'review:due', { learnerId })
        expect(due.items.map((item) => item.questionId).sort()).toEqual([...questionIds].sort())
        for (const item of due.items) {
          expect(item.lessonId).toBe(lessonId)
          expect(item.lessonTitle.en).toBe(lesson.title.en)
        }
      })
    },
    120_000
  )
})
