import type { BrowserContext, Page } from 'playwright-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { e2eUnavailable, selectedLearner, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()
/** How long a played hop stays on screen at 1×; the speeds divide it. */
const hopAt1xMs = 900

describe.skipIf(unavailable !== null)('the packet stepper on a whole TCP connection', () => {
  const app = withHostAndBrowser('podnet-e2e-connection-')

  beforeAll(async () => {
    await selectedLearner(app.service, 'Ada')
  })

  /** The tour's lab at 1280×800 with a curl to the ClusterIP on the stepper. */
  async function curlOnTheStepper(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const { context } = await app.offlineContext({})
    const page = await context.newPage()
    await page.setViewportSize({ width: 1280, height: 800 })
    page.setDefaultTimeout(15_000)
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${app.host.url}#/lessons/tour`)
    await page.locator('.topology svg.canvas').waitFor()

    await page.locator('#trace-to').fill('10.96.0.120')
    await page.locator('#trace-protocol').selectOption('tcp')
    await page.locator('form.trace-form button[type="submit"]').click()
    await page.locator('.hop-inspector').waitFor()
    return { context, page, errors }
  }

  test('stepping with the keys crosses from the SYN into the SYN-ACK, and segment 4 carries GET /', async () => {
    const { context, page, errors } = await curlOnTheStepper()

    const heads = page.locator('.stepper .segment-head')
    await expect.poll(() => heads.count()).toBe(10)
    const head = (n: number) => page.locator(`.stepper [data-segment="${n}"] > .segment-head`)
    // Only the current segment is open: the list reads as ten lines, not three hundred.
    expect(await head(1).getAttribute('aria-expanded')).toBe('true')
    expect(await head(2).getAttribute('aria-expanded')).toBe('false')
    expect(await page.locator('.stepper [data-segment="2"] .rows').count()).toBe(0)

    // Hop by hop to the first hop of the SYN-ACK: the list follows the packet into segment 2.
    await page.locator('.stepper .controls').focus()
    for (let i = 0; i < 100 && (await head(2).getAttribute('aria-expanded')) !== 'true'; i++)
      await page.keyboard.press('ArrowRight')
    expect(await head(2).getAttribute('aria-expanded')).toBe('true')
    expect(await head(1).getAttribute('aria-expanded')).toBe('false')
    await expect(page.locator('.stepper .segment-position').textContent()).resolves.toBe('segment 2/10')
    await expect(head(2).textContent()).resolves.toContain('SYN-ACK')
    // One step back is the SYN again, delivered at the server.
    await page.keyboard.press('ArrowLeft')
    expect(await head(1).getAttribute('aria-expanded')).toBe('true')
    await page.keyboard.press('ArrowRight')
    // Once the SYN-ACK is on a wire, the drawing shows the exchange: the answer's path beside
    // the SYN's it answers.
    const answerPath = page.locator('.topology path.travelled.reply')
    const askPath = page.locator('.topology path.travelled.request')
    for (let i = 0; i < 20 && (await answerPath.count()) === 0; i++) await page.keyboard.press('ArrowRight')
    expect(await answerPath.count()).toBeGreaterThan(0)
    expect(await head(2).getAttribute('aria-expanded')).toBe('true')
    expect(await askPath.count()).toBeGreaterThan(0)

    // Segment by segment to the request, which starts an exchange of its own on a clean drawing.
    for (let i = 0; i < 2; i++) await page.keyboard.press('Shift+ArrowRight')
    expect(await head(4).getAttribute('aria-expanded')).toBe('true')
    expect(await answerPath.count()).toBe(0)
    await expect(head(4).textContent()).resolves.toMatch(/GET \/ HTTP\/1\.1/)
    await expect(head(4).textContent()).resolves.toMatch(/\[P\.\] seq 1 ack 1 len \d+/)
    await expect(head(4).textContent()).resolves.toMatch(/DNAT → 10\.244\.2\.2:8080 at node-1/)

    await context.close()
    expect(errors).toEqual([])
  }, 120_000)

  test('while the trace plays at 4×, the packet reaches each wire’s end before the next hop, and nothing else in the drawing or the hop list animates', async () => {
    const { context, page, errors } = await curlOnTheStepper()
    const position = page.locator('.stepper .position')
    const hopShown = async (): Promise<number> => Number(/(\d+) of/.exec(await position.innerText())?.[1])

    await page.locator('.stepper .controls select').selectOption('4')
    await page.locator('.stepper .controls').focus()
    await page.keyboard.press(' ')
    await expect.poll(hopShown).toBeGreaterThanOrEqual(3)
    // Every frame from here on: what is animating, and where.
    await page.evaluate(() => {
      const seen = { packet: 0, glides: [] as number[], others: [] as string[], stopped: false }
      Object.assign(window, { podnetAnimations: seen })
      const watch = (): void => {
        if (seen.stopped) return
        for (const animation of document.getAnimations()) {
          const effect = animation.effect as KeyframeEffect | null
          const target = effect?.target
          if (!target) continue
          if (target.matches('svg.packet')) {
            seen.packet++
            seen.glides.push(Number(effect!.getComputedTiming().endTime))
          } else if (target.closest('.topology svg.canvas, .stepper .events'))
            seen.others.push(`${target.tagName} ${target.getAttribute('class') ?? ''}`)
        }
        requestAnimationFrame(watch)
      }
      requestAnimationFrame(watch)
    })
    await expect.poll(hopShown, { timeout: 30_000 }).toBeGreaterThanOrEqual(12)
    // Read while it still plays: once paused, the current wire's dash flows again, as it should.
    const seen = await page.evaluate(() => {
      const record = (
        window as unknown as {
          podnetAnimations: { packet: number; glides: number[]; others: string[]; stopped: boolean }
        }
      ).podnetAnimations
      record.stopped = true
      return record
    })
    await page.keyboard.press(' ')

    expect(seen.packet).toBeGreaterThan(0)
    expect([...new Set(seen.others)]).toEqual([])
    // Each glide along a wire ends before the next hop starts.
    expect(Math.max(...seen.glides)).toBeLessThan(hopAt1xMs / 4)

    // Stepped by hand, the packet takes its time again.
    await expect
      .poll(() => page.locator('.stepper .controls button[aria-pressed]').getAttribute('aria-pressed'))
      .toBe('false')
    await page.keyboard.press('ArrowRight')
    const glide = await page
      .locator('.topology svg.packet')
      .evaluate((p) => getComputedStyle(p).transitionDuration)
    expect(parseFloat(glide) * 1000).toBeGreaterThanOrEqual(hopAt1xMs / 4)
    await context.close()
    expect(errors).toEqual([])
  }, 120_000)

  test('the strip above the hop list names all ten segments in order, and clicking the sixth opens it', async () => {
    const { context, page, errors } = await curlOnTheStepper()

    const strip = page.getByRole('navigation', { name: 'The connection, segment by segment' })
    const chips = strip.getByRole('button')
    await expect.poll(() => chips.count()).toBe(10)
    // What the chips show; their names read aloud add the direction in words.
    const texts = await chips.evaluateAll((buttons) =>
      buttons.map((b) =>
        [...b.querySelectorAll('.chip-n, .chip-arrow, .chip-name')]
          .map((e) => e.textContent?.trim())
          .join(' ')
      )
    )
    expect(await chips.nth(1).getAttribute('aria-label')).toBeNull()
    await expect(chips.nth(1).textContent()).resolves.toMatch(/SYN-ACK.*reply/)
    expect(texts.map((t) => t.split(' ')[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'])
    expect(texts.slice(0, 4)).toEqual(['1 → SYN', '2 ← SYN-ACK', '3 → ACK', '4 → GET /'])
    expect(texts).toContain('6 ← 200 OK')
    expect(await chips.nth(0).getAttribute('aria-current')).toBe('step')

    // Between the list's top and the page's bottom the strip leaves the hop list its room.
    const list = await page.locator('.stepper .events').boundingBox()
    expect(list!.height).toBeGreaterThan(100)
    expect(list!.y + list!.height).toBeLessThanOrEqual(800)

    const head = (n: number) => page.locator(`.stepper [data-segment="${n}"] > .segment-head`)
    await chips.nth(5).click()
    await expect(page.locator('.stepper .segment-position').textContent()).resolves.toBe('segment 6/10')
    expect(await head(6).getAttribute('aria-expanded')).toBe('true')
    expect(await head(1).getAttribute('aria-expanded')).toBe('false')
    expect(await chips.nth(5).getAttribute('aria-current')).toBe('step')
    expect(await chips.nth(0).getAttribute('aria-current')).toBeNull()

    // Enter on a chip does the same from the keyboard.
    await chips.nth(2).focus()
    await page.keyboard.press('Enter')
    await expect(page.locator('.stepper .segment-position').textContent()).resolves.toBe('segment 3/10')

    await context.close()
    expect(errors).toEqual([])
  }, 120_000)
})
