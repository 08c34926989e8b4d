import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import type { Lesson } from '../../src-main/core/lesson/lesson.schema.ts'
import { CourseDriver, courseLessons } from './course-driver.ts'
import { e2eUnavailable, selectedLearner, seriousAxeViolations, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()

/** Where things are on screen around a Next: the page's scroll, the lab beside the lesson, the new heading. */
interface Placement {
  scrollY: number
  lab: { top: number; left: number; bottom: number }
  /** The step heading's distance below the lesson column's top edge. */
  headingBelowColumnTop: number
}

function placement(page: Page): Promise<Placement> {
  return page.evaluate(() => {
    const lab = document.querySelector('.lab-column')?.getBoundingClientRect()
    const column = document.querySelector('.lesson-column')?.getBoundingClientRect()
    const heading = document.querySelector('#step-title, #completion-title')?.getBoundingClientRect()
    if (!lab || !column || !heading) throw new Error('the workspace is not on screen')
    return {
      scrollY: window.scrollY,
      lab: { top: lab.top, left: lab.left, bottom: lab.bottom },
      headingBelowColumnTop: heading.top - column.top
    }
  })
}

/** Drives a lesson like CourseDriver, reading to the bottom of each step and measuring every Next. */
class MeasuringDriver extends CourseDriver {
  readonly moves: { from: string; before: Placement; after: Placement }[] = []

  override async next(): Promise<void> {
    const from = await this.stepTitle()
    // A learner reaches Next at the end of the step's text: the lesson column is scrolled down,
    // and so is the page when it is taller than the window (large text).
    await this.page.locator('.lesson-column').evaluate((column) => (column.scrollTop = column.scrollHeight))
    await this.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
    const before = await placement(this.page)
    await super.next()
    this.moves.push({ from, before, after: await placement(this.page) })
  }
}

const tour = courseLessons().find((c) => c.lesson.id === 'tour')?.lesson as Lesson

describe.skipIf(unavailable !== null)('moving through a lesson in Chromium', () => {
  const app = withHostAndBrowser('podnet-e2e-moving-')

  /** A new learner on the tour in a fresh page, with the app's text at `fontScale`. */
  async function learnerOnTheTour(
    name: string,
    fontScale = 1
  ): Promise<{ page: Page; context: BrowserContext }> {
    await selectedLearner(app.service, name, { fontScale })
    const { context } = await app.offlineContext()
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(`${app.host.url}#/lessons/tour`)
    return { page, context }
  }

  // With large text the page is taller than the window and scrolls too: a plain focus() on the new
  // heading, or the browser's scroll anchoring following the changed column, moves the page.
  test.each([1, 1.5])(
    'at 1280×800 with text at %sx, Next scrolls only the lesson column to the new step: the page and the lab stay put',
    async (fontScale) => {
      const { page, context } = await learnerOnTheTour(`Still ${fontScale}`, fontScale)
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      const driver = new MeasuringDriver(page, tour)
      await driver.complete()

      expect(driver.moves).toHaveLength(tour.steps.length)
      for (const { from, before, after } of driver.moves) {
        expect({ from, scrollY: after.scrollY }).toEqual({ from, scrollY: before.scrollY })
        expect({ from, lab: after.lab }).toEqual({ from, lab: before.lab })
        // Where the page fits the window, the whole lab (terminal included) stays in it.
        if (fontScale === 1) {
          expect(after.lab.top).toBeGreaterThanOrEqual(0)
          expect(after.lab.bottom).toBeLessThanOrEqual(800)
        }
        // The new step starts at the top of the lesson column.
        expect(after.headingBelowColumnTop, from).toBeGreaterThanOrEqual(0)
        expect(after.headingBelowColumnTop, from).toBeLessThan(120)
      }
      await context.close()
      expect(errors).toEqual([])
    },
    300_000
  )

  test('reached steps re-read from their pills with the answers given; a finished lesson reads again and leads on', async () => {
    const { page, context } = await learnerOnTheTour('Reread')
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    const driver = new CourseDriver(page, tour)
    await driver.completeUntil('quiz')
    expect(driver.wrongAnswerGiven).toBe(true)

    const nav = page.getByRole('navigation', { name: 'Steps' })
    await expect.poll(() => nav.locator('[aria-current="step"]').textContent()).toMatch(/Check yourself/)
    // Steps not reached yet are not offered.
    expect(await nav.getByRole('button', { name: /Wrap-up/ }).count()).toBe(0)

    await nav.getByRole('button', { name: /^Follow the packet/ }).click()
    await expect.poll(() => page.locator('#review-title').innerText()).toBe('Follow the packet')
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('review-title')
    const reviewed = page.locator('.question-review[data-question="outer-source"]')
    await expect
      .poll(() => reviewed.innerText())
      .toMatch(
        /Attempt 1: definitely-not-the-answer[\s\S]*Not quite[\s\S]*Attempt 2: 192\.168\.56\.11[\s\S]*Correct/
      )
    expect(await page.locator('.lesson-pane').getByRole('button', { name: 'Check answer' }).count()).toBe(0)
    const violations = await seriousAxeViolations(page)
    expect(violations, JSON.stringify(violations)).toEqual([])

    await page.getByRole('button', { name: 'Previous step' }).click()
    await expect.poll(() => page.locator('#review-title').innerText()).toBe('Predict the TTL')
    await expect.poll(() => page.locator('.step-review .reveal').innerText()).toMatch(/You predicted it/)
    await page.getByRole('button', { name: 'Back to the current step' }).click()
    await expect.poll(() => driver.stepTitle()).toBe('Check yourself')

    const quiz = tour.steps.find((s) => s.kind === 'quiz')
    for (const question of quiz?.kind === 'quiz' ? quiz.questions : []) await driver.answer(question)
    await driver.next()
    await driver.next()
    const completion = page.locator('.completion')
    await expect.poll(() => completion.innerText()).toMatch(/Worth reviewing[\s\S]*outer header/)
    // A reload reads the lesson back from the host: what to review still agrees with the score.
    await page.reload()
    await expect.poll(() => completion.innerText()).toMatch(/\d+%[\s\S]*Worth reviewing[\s\S]*outer header/)

    await completion.getByRole('button', { name: 'Read it again, step by step' }).click()
    await expect.poll(() => page.locator('#review-title').innerText()).toBe('Welcome')
    await page.getByRole('button', { name: 'Next step' }).click()
    await expect.poll(() => page.locator('#review-title').innerText()).toBe("Find client's address")
    await expect
      .poll(() => page.locator('.step-review').innerText())
      .toMatch(/Done — the lab is in the state/)
    await page.getByRole('button', { name: 'Back to your results' }).click()
    await expect.poll(() => completion.count()).toBe(1)

    await completion.getByRole('link', { name: /^Next lesson: / }).click()
    const second = courseLessons()[1]?.lesson as Lesson
    await expect.poll(() => page.locator('#step-title').innerText()).toBe(second.steps[0]?.title.en)

    await context.close()
    expect(errors).toEqual([])
  }, 300_000)
})
