import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { CourseDriver, courseLessons } from './course-driver.ts'
import {
  e2eUnavailable,
  offlineContext,
  seriousAxeViolations,
  startHost,
  tempDir,
  withHostAndBrowser
} from './harness.ts'

const unavailable = e2eUnavailable()
const locales = ['en', 'zh-CN'] as const
const themes = ['light', 'dark', 'high-contrast'] as const
const tour = courseLessons()[0]!.lesson

describe.skipIf(unavailable !== null)('axe-core on every view, in both languages and every theme', () => {
  const app = withHostAndBrowser('podnet-e2e-axe-')
  /** Learners whose lesson opens at its first step, at its quiz, and on its completion screen. */
  const learners = { fresh: '', quiz: '', done: '' }

  async function select(learnerId: string): Promise<void> {
    await app.service.handlers['profiles:select']({ learnerId })
  }

  async function drive(learnerId: string, until: 'quiz' | null): Promise<void> {
    await select(learnerId)
    const { context } = await app.offlineContext()
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await page.goto(`${app.host.url}#/lessons/${tour.id}`)
    const driver = new CourseDriver(page, tour)
    if (until) await driver.completeUntil(until)
    else await driver.complete()
    await context.close()
  }

  beforeAll(async () => {
    for (const key of Object.keys(learners) as (keyof typeof learners)[])
      learners[key] = (await app.service.handlers['profiles:create']({ name: key })).id
  })

  async function open(page: Page, hash: string): Promise<void> {
    await page.goto(`${app.host.url}${hash}`)
    await page.reload()
    await page.locator('main h1').first().waitFor()
  }

  test('two learners take the tour through the UI: one to its quiz, one to the end', async () => {
    await drive(learners.quiz, 'quiz')
    await drive(learners.done, null)
  }, 240_000)

  test.each(locales.flatMap((locale) => themes.map((theme) => [locale, theme] as const)))(
    '%s, %s theme: 0 serious or critical violations',
    async (locale, theme) => {
      for (const learnerId of Object.values(learners))
        await app.service.handlers['settings:set']({ learnerId, settings: { locale, theme } })
      const { context, foreignRequests } = await app.offlineContext({
        colorScheme: theme === 'dark' ? 'dark' : 'light',
        locale
      })
      const page = await context.newPage()
      page.setDefaultTimeout(15_000)
      const report: string[] = []
      const audit = async (view: string): Promise<void> => {
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(locale)
        await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe(theme)
        for (const v of await seriousAxeViolations(page))
          report.push(`${view}: ${v.id} (${v.impact}, ${v.nodes}×) ${v.help}`)
      }

      // Every view the header's navigation leads to, as a learner with a lesson in progress.
      await select(learners.fresh)
      await open(page, '#/lessons')
      const views = await page
        .locator('header nav a')
        .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))
      expect(views.length).toBeGreaterThanOrEqual(3)
      for (const view of views) {
        await open(page, view)
        await audit(view)
      }

      // The workspace: lesson text, terminal, a trace on the stepper with its inspector, an inspected device.
      await open(page, `#/lessons/${tour.id}`)
      await expect.poll(() => page.locator('.xterm-host .xterm-rows').count()).toBe(1)
      await page.locator('form.trace-form input[type="text"]').fill('10.244.2.2')
      await page.locator('form.trace-form button[type="submit"]').click()
      await expect.poll(() => page.locator('.hop-inspector').count()).toBe(1)
      await page.locator('.stepper .controls').focus()
      for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight')
      await page.locator('[data-object="node-1/cni0"]').click()
      await expect.poll(() => page.locator('.inspect').count()).toBe(1)
      await audit('lesson workspace with a trace and an inspected device')

      await select(learners.quiz)
      await open(page, `#/lessons/${tour.id}`)
      await expect.poll(() => page.locator('form.question').count()).toBeGreaterThan(0)
      await audit('lesson: quiz step')

      await select(learners.done)
      await open(page, `#/lessons/${tour.id}`)
      await expect.poll(() => page.locator('.completion').count()).toBe(1)
      await audit('lesson: completion screen')
      await open(page, '#/progress')
      await expect.poll(() => page.locator('.progress-table tbody tr').count()).toBeGreaterThan(0)
      await audit('progress with a finished lesson')

      await context.close()
      expect(report).toEqual([])
      expect(foreignRequests).toEqual([])
    },
    180_000
  )

  test.each(
    locales.flatMap((locale) => (['light', 'dark'] as const).map((scheme) => [locale, scheme] as const))
  )(
    'the first-run profile screen, %s, following the OS %s scheme: 0 serious or critical violations',
    async (locale, colorScheme) => {
      const empty = tempDir('podnet-e2e-axe-first-run-')
      const host = await startHost(empty.path)
      const { context } = await offlineContext(app.browser, () => host.host.origin, {
        colorScheme,
        locale
      })
      const page = await context.newPage()
      await page.goto(host.host.url)
      await page.locator('main h1').first().waitFor()
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(locale)
      const violations = await seriousAxeViolations(page)
      await context.close()
      await host.stop()
      empty.remove()
      expect(violations).toEqual([])
    }
  )
})
