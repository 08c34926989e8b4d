import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { e2eUnavailable, selectedLearner, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()
const locales = ['en', 'zh-CN'] as const
const viewport = { width: 1280, height: 800 }
/** Hops stepped through: the tour's curl to the ClusterIP, through DNAT and into the tunnel and out. */
const hopsFollowed = 45

/**
 * What the hop list hides that the learner should see: the current row or the current kernel hop
 * under the stuck segment heading (or the hop under the stuck row line), or any line cut in half
 * by the lower edge of what sticks. Sub-pixel slivers from rounding are not counted.
 */
function hiddenLines(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const list = document.querySelector('.stepper .events')
    if (!list) return ['no hop list']
    const box = (selector: string): DOMRect | undefined =>
      list.querySelector(selector)?.getBoundingClientRect()
    const head = box('.segment-head.current')
    const currentLine = list.querySelector('.event.summary.current')?.closest('.row-line')
    const row = currentLine?.getBoundingClientRect()
    const hop = box('.event.hop.current')
    if (!head || !row || !hop) return ['no current segment, row or hop']
    const overlap = (a: DOMRect, b: DOMRect): boolean => a.top < b.bottom - 1 && a.bottom > b.top + 1
    const problems: string[] = []
    const at = (r: DOMRect): string => `${Math.round(r.top)}–${Math.round(r.bottom)}`
    if (overlap(row, head)) problems.push(`current row ${at(row)} under the heading ${at(head)}`)
    if (overlap(hop, head)) problems.push(`current hop ${at(hop)} under the heading ${at(head)}`)
    if (overlap(hop, row)) problems.push(`current hop ${at(hop)} under its row ${at(row)}`)
    const rowStuck = Math.abs(row.top - head.bottom) < 1
    const edge = rowStuck ? row.bottom : head.bottom
    for (const line of list.querySelectorAll('.row-line, .event.hop')) {
      if (line === currentLine) continue
      const r = line.getBoundingClientRect()
      if (r.top < edge - 1 && r.bottom > edge + 1)
        problems.push(`"${line.textContent?.trim().slice(0, 30)}" ${at(r)} cut at ${Math.round(edge)}`)
    }
    return problems
  })
}

describe.skipIf(unavailable !== null)('the lesson workspace at 1280×800', () => {
  const app = withHostAndBrowser('podnet-e2e-hop-rows-')
  let learnerId = ''

  beforeAll(async () => {
    learnerId = await selectedLearner(app.service, 'Ada')
  })

  test.each(locales)(
    '%s: following a trace hop by hop, no hop row is hidden or cut by the segment heading stuck above it',
    async (locale) => {
      await app.service.handlers['settings:set']({ learnerId, settings: { locale } })
      const { context } = await app.offlineContext({ locale })
      const page = await context.newPage()
      await page.setViewportSize(viewport)
      // Instant scrolling: each step's list position is final once the step has drawn.
      await page.emulateMedia({ reducedMotion: 'reduce' })
      page.setDefaultTimeout(15_000)
      await page.goto(`${app.host.url}#/lessons/tour`)
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(locale)
      await page.locator('.topology svg.canvas').waitFor()
      await page.locator('#trace-to').fill('10.96.0.120')
      await page.locator('#trace-protocol').selectOption('tcp')
      await page.locator('form.trace-form button[type="submit"]').click()
      await page.locator('.hop-inspector').waitFor()
      await page.locator('.stepper .controls').focus()

      for (let hop = 2; hop <= hopsFollowed; hop++) {
        await page.keyboard.press('ArrowRight')
        await expect
          .poll(async () => `hop ${hop}: ${(await hiddenLines(page)).join('; ')}`, { timeout: 2_000 })
          .toBe(`hop ${hop}: `)
      }
      await context.close()
    },
    120_000
  )

  test.each(locales)(
    '%s: the tour’s node and pod tables fit the lesson column without scrolling sideways',
    async (locale) => {
      await app.service.handlers['settings:set']({ learnerId, settings: { locale } })
      const { context } = await app.offlineContext({ locale })
      const page = await context.newPage()
      await page.setViewportSize(viewport)
      page.setDefaultTimeout(15_000)
      await page.goto(`${app.host.url}#/lessons/tour`)
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(locale)
      const tables = page.locator('.lesson-pane .prose .table-scroll')
      await tables.first().waitFor()
      const widths = await tables.evaluateAll((boxes) =>
        boxes.map((b) => ({
          text: (b.querySelector('th')?.textContent ?? '').trim(),
          scrollWidth: b.scrollWidth,
          clientWidth: b.clientWidth,
          ips: [...b.querySelectorAll('td')]
            .filter((td) => /^\d+\.\d+\.\d+\.\d+$/.test(td.textContent?.trim() ?? ''))
            .map((td) => {
              // One line box per line the address takes.
              const range = document.createRange()
              range.selectNodeContents(td)
              return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size
            })
        }))
      )
      const report = JSON.stringify(widths)
      // The nodes, then the pods, every address on one line.
      expect(widths.length, report).toBe(2)
      for (const table of widths) expect(table.scrollWidth, report).toBeLessThanOrEqual(table.clientWidth)
      expect(widths[1]!.ips, report).toEqual([1, 1, 1])
      await context.close()
    },
    60_000
  )
})
