import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { inside, insideViewport as insideWindow, rectOf as rectOfLocator, type Rect } from './geometry.ts'
import { e2eUnavailable, selectedLearner, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()
const locales = ['en', 'zh-CN'] as const
const themes = ['light', 'dark', 'high-contrast'] as const
const viewport = { width: 1280, height: 800 }

const rectOf = (page: Page, selector: string): Promise<Rect> => rectOfLocator(page.locator(selector))
const insideViewport = (rect: Rect): boolean => insideWindow(rect, viewport)

describe.skipIf(unavailable !== null)('the lesson workspace at 1280×800', () => {
  const app = withHostAndBrowser('podnet-e2e-together-')
  let learnerId = ''

  beforeAll(async () => {
    learnerId = await selectedLearner(app.service, 'Ada')
  })

  test.each(locales.flatMap((locale) => themes.map((theme) => [locale, theme] as const)))(
    '%s, %s theme: the drawing, the hop list and the current hop’s inspector are all on screen, without scrolling the page',
    async (locale, theme) => {
      await app.service.handlers['settings:set']({ learnerId, settings: { locale, theme } })
      const { context, foreignRequests } = await app.offlineContext({
        colorScheme: theme === 'dark' ? 'dark' : 'light',
        locale
      })
      const page = await context.newPage()
      await page.setViewportSize(viewport)
      page.setDefaultTimeout(15_000)
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(`${app.host.url}#/lessons/tour`)
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

/** The smallest a box's name may be drawn on screen, in CSS pixels. */
const legibleLabel = 11

/**
 * Every box the drawing holds (node regions, pods, devices, ports) as it sits on screen, with the
 * size its name is drawn at: the text's font size times the drawing's scale.
 */
function drawnBoxes(
  page: Page
): Promise<{ name: string; kind: 'node' | 'box' | 'port'; rect: Rect; namePx: number }[]> {
  return page.locator('.topology svg.canvas').evaluate((canvas) => {
    const svg = canvas as SVGSVGElement
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width
    return [...svg.querySelectorAll('.region, .device')].map((g) => {
      const r = g.querySelector('rect')!.getBoundingClientRect()
      const text = g.querySelector('.region-label, .label, .port')!
      const kind = text.matches('.region-label') ? 'node' : text.matches('.label') ? 'box' : 'port'
      return {
        name: g.getAttribute('data-object') ?? text.textContent ?? '',
        kind,
        rect: {
          left: r.left,
          top: r.top,
          right: r.right,
          bottom: r.bottom,
          width: r.width,
          height: r.height
        },
        namePx: Number.parseFloat(getComputedStyle(text).fontSize) * scale
      }
    })
  })
}

describe.skipIf(unavailable !== null)('a shell tab of the lesson workspace at 1280×800', () => {
  const app = withHostAndBrowser('podnet-e2e-shell-tab-')
  let learnerId = ''

  beforeAll(async () => {
    learnerId = await selectedLearner(app.service, 'Ada')
  })

  // Two nodes (the tour) and three (VXLAN across nodes), with a ping on the drawing, so the hop's
  // caption takes its line too.
  test.each(
    locales.flatMap((locale) => ['tour', 'cross-node-vxlan'].map((lesson) => [locale, lesson] as const))
  )(
    '%s, %s: above a shell of at least 100×16, every box of the drawing is on screen with its name at 11 px or more',
    async (locale, lesson) => {
      await app.service.handlers['settings:set']({ learnerId, settings: { locale } })
      const { context } = await app.offlineContext({ locale })
      const page = await context.newPage()
      await page.setViewportSize(viewport)
      page.setDefaultTimeout(15_000)
      await page.goto(`${app.host.url}#/lessons/${lesson}`)
      await page.locator('.topology svg.canvas').waitFor()
      await page.locator('#trace-to').fill('10.244.2.2')
      await page.locator('#trace-protocol').selectOption('icmp')
      await page.locator('form.trace-form button[type="submit"]').click()
      await page.locator('.hop-inspector').waitFor()
      await page.locator('.terminal-tab', { hasText: /^node-2$/ }).click()
      await page.locator('.xterm-rows', { hasText: 'root@node-2' }).waitFor()

      const size = await page.evaluate(() => {
        const measure = document.querySelector('.xterm-char-measure-element')
        const screen = document.querySelector('.xterm-screen')
        if (!measure?.textContent || !screen) return null
        const charWidth = measure.getBoundingClientRect().width / measure.textContent.length
        return {
          cols: Math.floor(screen.getBoundingClientRect().width / charWidth),
          rows: document.querySelectorAll('.xterm-rows > div').length
        }
      })
      expect(size?.cols).toBeGreaterThanOrEqual(100)
      expect(size?.rows).toBeGreaterThanOrEqual(16)
      expect(insideViewport(await rectOf(page, '.xterm-screen'))).toBe(true)

      // The split settles once the drawing has measured itself: poll until every box is in view.
      const drawing = await rectOf(page, '.topology .drawing')
      expect(insideViewport(drawing)).toBe(true)
      await expect
        .poll(async () => (await drawnBoxes(page)).filter((b) => !inside(b.rect, drawing)).map((b) => b.name))
        .toEqual([])
      const boxes = await drawnBoxes(page)
      const report = JSON.stringify({ drawing, size, boxes })
      // Every node's region, each with its pods, bridge, stack, VTEP and NIC, and the ports between.
      const nodes = lesson === 'tour' ? 2 : 3
      expect(boxes.filter((b) => b.kind === 'node').length, report).toBe(nodes)
      expect(boxes.filter((b) => b.kind === 'box').length, report).toBeGreaterThanOrEqual(5 * nodes)
      // Names of nodes, pods and devices read at 11 px or more; a port's short name is drawn 10 % smaller.
      for (const box of boxes)
        expect(box.namePx, `${box.name} ${report}`).toBeGreaterThanOrEqual(
          box.kind === 'port' ? 0.9 * legibleLabel : legibleLabel
        )
      await context.close()
    },
    60_000
  )

  test('zoomed in past its pane, the drawing keeps the shell’s box in view and pans when dragged', async () => {
    await app.service.handlers['settings:set']({ learnerId, settings: { locale: 'en' } })
    const { context } = await app.offlineContext({})
    const page = await context.newPage()
    await page.setViewportSize(viewport)
    page.setDefaultTimeout(15_000)
    await page.goto(`${app.host.url}#/lessons/tour`)
    await page.locator('.topology svg.canvas').waitFor()
    await page.locator('.terminal-tab', { hasText: /^node-2$/ }).click()
    await page.locator('.xterm-rows', { hasText: 'root@node-2' }).waitFor()
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Zoom in' }).click()

    // Taller than its pane now: it scrolls to node-2's routing stack, the shell's box.
    const drawing = await rectOf(page, '.topology .drawing')
    await expect
      .poll(async () => inside(await rectOf(page, '.topology [data-object="node-2"]'), drawing), {
        timeout: 5_000
      })
      .toBe(true)

    // A drag on an empty part of the drawing moves it like a map.
    const scrollTop = () => page.locator('.topology .drawing').evaluate((el) => el.scrollTop)
    const before = await scrollTop()
    const grip = { x: drawing.left + 4, y: drawing.top + drawing.height / 2 }
    await page.mouse.move(grip.x, grip.y)
    await page.mouse.down()
    await page.mouse.move(grip.x, grip.y + (before > 0 ? 60 : -60), { steps: 6 })
    await page.mouse.up()
    expect(await scrollTop()).not.toBe(before)
    await context.close()
  }, 60_000)
})

describe.skipIf(unavailable !== null)('the lesson workspace at 150 % text size', () => {
  const app = withHostAndBrowser('podnet-e2e-large-text-')

  beforeAll(async () => {
    await selectedLearner(app.service, 'Ada', { fontScale: 1.5 })
  })

  test.each(locales)(
    '%s: the header stays one line, nothing is wider than the window, and each pane keeps room to read',
    async (locale) => {
      const { context } = await app.offlineContext({ locale })
      const page = await context.newPage()
      await page.setViewportSize(viewport)
      page.setDefaultTimeout(15_000)
      await page.goto(`${app.host.url}#/lessons/tour`)
      await page.locator('.topology svg.canvas').waitFor()
      if (locale !== 'en') await page.locator('.lang-switch').click()
      await page.locator('#trace-to').fill('10.96.0.120')
      await page.locator('#trace-protocol').selectOption('tcp')
      await page.locator('form.trace-form button[type="submit"]').click()
      await page.locator('.hop-inspector').waitFor()

      const header = await rectOf(page, '.app-header')
      const brand = await rectOf(page, '.brand-name')
      const language = await rectOf(page, '.lang-switch')
      const diagram = await rectOf(page, '.topology .drawing')
      const hops = await rectOf(page, '.stepper .events')
      const inspector = await rectOf(page, '.stepper .inspector')
      const lesson = await rectOf(page, '#step-title')
      const report = JSON.stringify({ header, brand, language, diagram, hops, inspector, lesson })
      // One line: the language switch sits beside the name, not under it.
      expect(language.top, report).toBeLessThan(brand.bottom)
      expect(header.height, report).toBeLessThan(3.5 * 16 * 1.5)
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      expect(width, report).toBeLessThanOrEqual(viewport.width)
      // The page may scroll at this size, but no pane is squeezed below what its text needs.
      expect(diagram.height, report).toBeGreaterThanOrEqual(200)
      expect(hops.height, report).toBeGreaterThanOrEqual(120)
      expect(inspector.height, report).toBeGreaterThanOrEqual(120)
      expect(diagram.bottom, report).toBeLessThanOrEqual(Math.min(hops.top, inspector.top))
      expect(hops.right, report).toBeLessThanOrEqual(inspector.left)
      expect(lesson.right, report).toBeLessThanOrEqual(diagram.left)
      await context.close()
    },
    60_000
  )
})
