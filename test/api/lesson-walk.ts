import { loadCourse } from '../../src-main/core/lesson/course-loader.ts'
import { questionsOf } from '../../src-main/core/lesson/lesson.machine.ts'
import { keyedPrediction } from '../../src-main/core/lesson/prediction.ts'
import { correctAnswer } from '../../src-main/core/lesson/quiz.ts'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import { lessonsDir } from './api-call.ts'

/** Calls one API method by name, over whichever transport the test uses. */
export type CallMethod = (method: string, input: unknown) => Promise<unknown>

/**
 * Opens a lesson and walks it from its keys (solutions run, predictions and questions answered
 * right) until `stepId` is the current step, as a learner who did everything before it would.
 */
export async function walkLessonTo(
  call: CallMethod,
  learnerId: string,
  lessonId: string,
  stepId: string
): Promise<void> {
  const loaded = loadCourse(lessonFilesFromDir(lessonsDir)).lessons.find(
    (entry) => entry.status === 'available' && entry.lesson.lesson.id === lessonId
  )
  if (loaded?.status !== 'available') throw new Error(`no lesson "${lessonId}" in the course`)
  const ref = { learnerId, lessonId }
  await call('lesson:open', ref)
  for (const step of loaded.lesson.lesson.steps) {
    if (step.id === stepId) return
    if (step.kind === 'task') {
      for (const solution of step.solution) {
        if ('run' in solution) await call('shell:exec', { ...ref, on: solution.on, line: solution.run })
        else await call('trace:run', { ...ref, trace: solution.trace })
      }
    }
    if (step.kind === 'predict') await call('lesson:send', { ...ref, event: keyedPrediction(step) })
    for (const question of questionsOf(step))
      await call('quiz:submit', { ...ref, questionId: question.id, answer: correctAnswer(question) })
    await call('lesson:send', { ...ref, event: { type: 'user.next' } })
  }
  throw new Error(`lesson "${lessonId}" has no step "${stepId}"`)
}
