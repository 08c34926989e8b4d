import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { e2eUnavailable, poll, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()

/** The projector most rooms still have. */
const projector = { width: 1280, height: 720 }

/** Shares of the viewport: the diagram's box and the drawing in it, and how far the page scrolls. */
function measure(
  page: Page
): Promise<{ box: number; drawing: number; inside: boolean; scrollY: number; scrollX: number }> {
  return page.evaluate(() => {
    const area = innerWidth * innerHeight
    const box = document.querySelector('.topology')!.getBoundingClientRect()
    const drawing = document.querySelector('.topology .stage')!.getBoundingClientRect()
    const page = document.scrollingElement!
    return {
      box: (box.width * box.height) / area,
      drawing: (drawing.width * drawing.height) / area,
      inside:
        drawing.top >= 0 && drawing.bottom <= innerHeight && drawing.left >= 0 && drawing.right <= innerWidth,
      scrollY: page.scrollHeight - innerHeight,
      scrollX: page.scrollWidth - innerWidth
    }
  })
}

describe.skipIf(unavailable !== null)('presenter mode on a 1280×720 projector', () => {
  const app = withHostAndBrowser('podnet-e2e-projector-layout-')

  test('the workspace fits without scrolling and the cluster drawing takes a large share of the screen', async () => {
    const { context } = await app.offlineContext()
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    await page.setViewportSize(projector)
    await page.goto(app.host.url)
    await page.getByLabel('Name').fill('Grace')
    await page.getByRole('button', { name: 'Start' }).click()
    await page.locator('.lesson-list a').first().click()
    await poll(() => page.locator('#step-title').innerText()).toBe('Welcome')
    await page.getByRole('button', { name: 'Presenter mode' }).click()
    await poll(() => page.evaluate(() => document.documentElement.dataset['presenting'])).toBe('true')

    // The tour opens on a shell: the drawing still gets half the lab.
    await poll(async () => (await measure(page)).box).toBeGreaterThan(0.18)
    expect(await measure(page)).toMatchObject({ inside: true, scrollY: 0, scrollX: 0 })

    await page.getByRole('tab', { name: 'Packet' }).click()
    await poll(async () => (await measure(page)).box).toBeGreaterThan(0.28)
    const packet = await measure(page)
    expect(packet).toMatchObject({ inside: true, scrollY: 0, scrollX: 0 })
    expect(packet.drawing).toBeGreaterThan(0.16)

    // Leaving presenter mode brings the learner's own split and the app's header back.
    const diagramShare = (): Promise<number> =>
      page.evaluate(() => Number(getComputedStyle(document.querySelector('.diagram-pane')!).flexGrow))
    expect(await diagramShare()).toBe(76)
    await page.getByRole('button', { name: 'Leave presenter mode' }).click()
    await poll(diagramShare).toBe(56)
    expect(await page.locator('.app-header').isVisible()).toBe(true)
  })
})
