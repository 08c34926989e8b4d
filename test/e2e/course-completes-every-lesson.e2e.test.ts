import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CourseDriver, courseLessons } from './course-driver.ts'
import {
  e2eUnavailable,
  launchChromium,
  offlineContext,
  startHost,
  tempDir,
  type RunningHost
} from './harness.ts'

const unavailable = e2eUnavailable()
const course = courseLessons()

describe.skipIf(unavailable !== null)('the whole course, completed through the UI in Chromium', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  const data = tempDir('podnet-e2e-course-')
  let running: RunningHost

  beforeAll(async () => {
    ;({ browser, close: closeBrowser } = await launchChromium())
    running = await startHost(data.path)
    const learner = await running.service.handlers['profiles:create']({ name: 'Course' })
    await running.service.handlers['profiles:select']({ learnerId: learner.id })
  })

  afterAll(async () => {
    await running?.stop()
    await closeBrowser?.()
    data.remove()
  })

  /** Lessons completed so far in which a question was answered wrong first. */
  let missedBefore = 0

  test('lessons/index.yaml lists at least the tour', () => {
    expect(course.map((c) => c.lesson.id)).toContain('tour')
  })

  test.each(course.map((c) => [c.folder, c.lesson] as const))(
    '%s: every step done from its answer keys, one question wrong first, completion and progress shown',
    async (_folder, lesson) => {
      const { context, foreignRequests } = await offlineContext(browser, () => running.host.origin)
      const page = await context.newPage()
      page.setDefaultTimeout(15_000)
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(`${running.host.url}#/lessons/${lesson.id}`)

      const driver = new CourseDriver(page, lesson)
      await driver.complete()
      const questions = lesson.steps.flatMap((s) =>
        s.kind === 'quiz' ? s.questions : s.kind === 'trace' ? s.questions.map((q) => q.question) : []
      )
      if (questions.some((q) => q.attempts > 1 && ['single', 'numeric', 'text'].includes(q.kind)))
        expect(driver.wrongAnswerGiven).toBe(true)
      // A review step (the exam's warm-up) draws on what the earlier lessons' wrong answers queued.
      if (lesson.steps.some((s) => s.kind === 'review') && missedBefore > 0)
        expect(driver.reviewDue).toBeGreaterThan(0)
      if (driver.wrongAnswerGiven) missedBefore++

      await page.locator('.completion').getByRole('link', { name: 'See your progress' }).click()
      const row = page.locator(`.progress-table tbody tr[data-lesson="${lesson.id}"]`)
      await expect.poll(() => row.getAttribute('data-status')).toBe('completed')
      await expect.poll(() => row.innerText()).toMatch(/Completed[\s\S]*\d+%/)

      await context.close()
      expect(errors).toEqual([])
      expect(foreignRequests).toEqual([])
    },
    300_000
  )
})
