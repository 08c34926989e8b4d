import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  e2eUnavailable,
  launchChromium,
  offlineContext,
  startHost,
  tempDir,
  type RunningHost
} from './harness.ts'

const unavailable = e2eUnavailable()
const locales = ['en', 'zh-CN'] as const
const themes = ['light', 'dark', 'high-contrast'] as const
const viewport = { width: 1280, height: 800 }

interface Rect {
  left: number
  top: number
  right: number
  bottom: number
  width: number
  height: number
}

async function rectOf(page: Page, selector: string): Promise<Rect> {
  const rect = await page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const r = el.getBoundingClientRect()
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }
    })
  return rect
}

function insideViewport(rect: Rect): boolean {
  return rect.left >= 0 && rect.top >= 0 && rect.right <= viewport.width && rect.bottom <= viewport.height
}

function inside(inner: Rect, outer: Rect): boolean {
  const slack = 1
  return (
    inner.left >= outer.left - slack &&
    inner.top >= outer.top - slack &&
    inner.right <= outer.right + slack &&
    inner.bottom <= outer.bottom + slack
  )
}

describe.skipIf(unavailable !== null)('the lesson workspace at 1280×800', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  const data = tempDir('podnet-e2e-together-')
  let running: RunningHost
  let learnerId = ''

  beforeAll(async () => {
    ;({ browser, close: closeBrowser } = await launchChromium())
    running = await startHost(data.path)
    learnerId = (await running.service.handlers['profiles:create']({ name: 'Ada' })).id
    await running.service.handlers['profiles:select']({ learnerId })
  })

  afterAll(async () => {
    await running?.stop()
    await closeBrowser?.()
    data.remove()
  })

  test.each(locales.flatMap((locale) => themes.map((theme) => [locale, theme] as const)))(
    '%s, %s theme: the drawing, the hop list and the current hop’s inspector are all on screen, without scrolling the page',
    async (locale, theme) => {
      await running.service.handlers['settings:set']({ learnerId, settings: { locale, theme } })
      const { context, foreignRequests } = await offlineContext(browser, () => running.host.origin, {
        colorScheme: theme === 'dark' ? 'dark' : 'light',
        locale
      })
      const page = await context.newPage()
      await page.setViewportSize(viewport)
      page.setDefaultTimeout(15_000)
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(`${running.host.url}#/lessons/tour`)
      await page.locator('.topology svg.canvas').waitFor()

      // A curl to the ClusterIP whose only endpoint is on the other node, stepped into the tunnel.
      await page.locator('#trace-to').fill('10.96.0.120')
      await page.locator('#trace-protocol').selectOption('tcp')
      await page.locator('form.trace-form button[type="submit"]').click()
      await page.locator('.hop-inspector').waitFor()
      await page.locator('.stepper .controls').focus()
      for (let i = 0; i < 14; i++) await page.keyboard.press('ArrowRight')
      await expect.poll(() => page.locator('.topology .packet').count()).toBe(1)

      const diagram = await rectOf(page, '.topology')
      const drawing = await rectOf(page, '.topology .drawing')
      const canvas = await rectOf(page, '.topology svg.canvas')
      const hops = await rectOf(page, '.stepper .events')
      const inspector = await rectOf(page, '.stepper .inspector')
      const lesson = await rectOf(page, '#step-title')
      const report = JSON.stringify({ diagram, canvas, hops, inspector, lesson })

      // All three, and the lesson beside them, inside the window at once.
      for (const rect of [diagram, hops, inspector, lesson]) expect(insideViewport(rect), report).toBe(true)
      // Big enough to read, and side by side or stacked without overlapping.
      expect(diagram.width, report).toBeGreaterThanOrEqual(600)
      expect(diagram.height, report).toBeGreaterThanOrEqual(250)
      expect(hops.width, report).toBeGreaterThanOrEqual(250)
      expect(hops.height, report).toBeGreaterThanOrEqual(120)
      expect(inspector.width, report).toBeGreaterThanOrEqual(250)
      expect(inspector.height, report).toBeGreaterThanOrEqual(120)
      expect(diagram.bottom, report).toBeLessThanOrEqual(Math.min(hops.top, inspector.top))
      expect(hops.right, report).toBeLessThanOrEqual(inspector.left)
      expect(lesson.right, report).toBeLessThanOrEqual(diagram.left)
      // The whole drawing shows in its pane: nothing to pan to at the default zoom.
      expect(inside(canvas, drawing), report).toBe(true)
      // The packet, its row in the list and the inspector's first lines are in view, not scrolled
      // away (the marker glides and the list scrolls smoothly, so their places are polled).
      await expect
        .poll(async () => inside(await rectOf(page, '.topology .packet'), drawing), { timeout: 5_000 })
        .toBe(true)
      await expect
        .poll(async () => inside(await rectOf(page, '.stepper .event.current'), hops), { timeout: 5_000 })
        .toBe(true)
      expect(inside(await rectOf(page, '.hop-inspector h3'), inspector), report).toBe(true)
      expect(inside(await rectOf(page, '.hop-inspector .changes tbody tr'), inspector), report).toBe(true)
      // The page itself does not scroll.
      const overflow = await page.evaluate(() => ({
        height: document.documentElement.scrollHeight,
        width: document.documentElement.scrollWidth
      }))
      expect(overflow.height, report).toBeLessThanOrEqual(viewport.height)
      expect(overflow.width, report).toBeLessThanOrEqual(viewport.width)

      await context.close()
      expect(errors).toEqual([])
      expect(foreignRequests).toEqual([])
    },
    120_000
  )
})
