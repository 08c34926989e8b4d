import type { BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'
import { walkLessonTo } from '../api/lesson-walk.ts'
import { selectedLearner, type HostAndBrowser } from './harness.ts'

/** What the terminal on screen shows, as xterm laid it out. */
export const terminalText = (page: Page): Promise<string> =>
  page.locator('.xterm-host .xterm-rows').innerText()

/** The TCP flags of every packet line tcpdump printed, in order. */
export const flagsOf = (text: string): string[] =>
  [...text.matchAll(/Flags \[([^\]]+)\]/g)].map((m) => m[1] ?? '')

/** Shows the terminal of the tab named `tab` (its key `key`) and puts the keyboard in it. */
export async function showTerminal(page: Page, tab: string, key: string): Promise<void> {
  await page.getByRole('tab', { name: tab, exact: true }).click()
  await expect.poll(() => page.locator('.xterm-host').getAttribute('data-terminal')).toBe(key)
  await page.locator('.xterm-host .xterm-helper-textarea').focus()
}

/** Types a line into the terminal that has the keyboard and presses Enter. */
export async function type(page: Page, line: string): Promise<void> {
  await page.keyboard.type(line)
  await page.keyboard.press('Enter')
}

/**
 * A new learner, walked from the keys to `stepId` of a lesson, with the lesson open in a page
 * (English, tall enough for the task and a terminal) once its terminal is there.
 */
export async function lessonPageAt(
  app: HostAndBrowser,
  lessonId: string,
  stepId: string
): Promise<{ context: BrowserContext; page: Page }> {
  const learnerId = await selectedLearner(app.service, 'Ada')
  const handlers = app.service.handlers as unknown as Record<string, (input: unknown) => Promise<unknown>>
  await walkLessonTo((method, input) => handlers[method]!(input), learnerId, lessonId, stepId)
  const context = await app.browser.newContext({ locale: 'en', viewport: { width: 1280, height: 1100 } })
  const page = await context.newPage()
  await page.goto(`${app.host.url}#/lessons/${lessonId}`)
  await expect.poll(() => page.locator('.xterm-host .xterm-rows').count(), { timeout: 20_000 }).toBe(1)
  return { context, page }
}
