import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { call } from '../api/api-call.ts'
import {
  e2eUnavailable,
  launchChromium,
  offlineContext,
  seriousAxeViolations,
  startHost,
  tempDir,
  type RunningHost
} from './harness.ts'

const unavailable = e2eUnavailable()

describe.skipIf(unavailable !== null)('the review session on the progress dashboard', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  const data = tempDir('podnet-e2e-review-')
  let running: RunningHost

  beforeAll(async () => {
    ;({ browser, close: closeBrowser } = await launchChromium())
    running = await startHost(data.path)
  })

  afterAll(async () => {
    await running?.stop()
    await closeBrowser?.()
    data.remove()
  })

  test('a question missed in the tour is due on the dashboard once the tour finished it, reviewed right, and the count drops', async () => {
    const { context, foreignRequests } = await offlineContext(browser, () => running.host.origin)
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(running.host.url)
    await page.getByLabel('Name').fill('Grace')
    await page.getByRole('button', { name: 'Start' }).click()
    await expect.poll(() => page.locator('.lesson-list a').count()).toBeGreaterThan(0)

    // The steps before the trace are covered by the lesson-player test; here they are walked
    // through the same service the page talks to, so the page resumes at the trace step.
    const { activeId } = await call<{ activeId: string }>(running.service, 'profiles:list', {})
    const ref = { learnerId: activeId, lessonId: 'tour' }
    await call(running.service, 'lesson:open', ref)
    await call(running.service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
    await call(running.service, 'shell:exec', { ...ref, on: 'client', line: 'ip addr' })
    await call(running.service, 'lesson:send', { ...ref, event: { type: 'user.next' } })
    await call(running.service, 'lesson:send', { ...ref, event: { type: 'user.predict', value: 62 } })
    await call(running.service, 'lesson:send', { ...ref, event: { type: 'user.next' } })

    await page.locator('.lesson-list a').first().click()
    await expect.poll(() => page.locator('#step-title').innerText()).toBe('Follow the packet')
    const question = page.locator('form.question[data-question="outer-source"]')
    const forward = page.getByRole('button', { name: 'Step forward' })
    for (let i = 0; i < 30 && (await question.count()) === 0; i++) await forward.click()
    await question.getByLabel('Your answer').fill('10.244.1.2')
    await question.getByRole('button', { name: 'Check answer' }).click()
    await expect.poll(() => question.locator('.grading').innerText()).toMatch(/Not quite/)
    // Due only once the lesson finished it: until then the review would give its key away.
    await question.getByLabel('Your answer').fill('192.168.56.11')
    await question.getByRole('button', { name: 'Check answer' }).click()
    await expect.poll(() => question.locator('.grading').innerText()).toMatch(/^Correct/)

    await page.goto(`${running.host.url}#/progress`)
    const review = page.locator('section.review')
    await expect.poll(() => review.locator('.due').innerText()).toBe('1 item due')
    await review.getByRole('button', { name: 'Start reviewing' }).click()

    const item = review.locator('form.review-question[data-question="outer-source"]')
    await expect.poll(() => item.innerText()).toMatch(/Question 1 of 1 · A tour of Podnet Lab/)
    await expect.poll(() => item.locator('legend').evaluate((el) => el === document.activeElement)).toBe(true)
    const violations = await seriousAxeViolations(page)
    expect(violations, `review session: ${JSON.stringify(violations)}`).toEqual([])

    // Keyboard only from here: type, submit with Enter, continue with the focused button.
    await item.getByLabel('Your answer').focus()
    await page.keyboard.type('192.168.56.11')
    await page.keyboard.press('Enter')
    await expect.poll(() => item.locator('.grading').innerText()).toMatch(/^Correct\. It comes back later\./)
    await expect.poll(() => item.locator('.explanation').innerText()).toMatch(/192\.168\.56\.11/)
    const finish = item.getByRole('button', { name: 'Finish reviewing' })
    await expect.poll(() => finish.evaluate((el) => el === document.activeElement)).toBe(true)
    const graded = await seriousAxeViolations(page)
    expect(graded, `review session graded: ${JSON.stringify(graded)}`).toEqual([])
    await page.keyboard.press('Enter')

    await expect.poll(() => review.locator('.due').innerText()).toMatch(/^Nothing to review right now/)
    expect(await review.getByRole('button', { name: 'Start reviewing' }).count()).toBe(0)

    await context.close()
    expect(errors).toEqual([])
    expect(foreignRequests).toEqual([])
  }, 120_000)
})
