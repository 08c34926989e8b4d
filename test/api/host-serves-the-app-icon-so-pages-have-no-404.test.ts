import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  e2eUnavailable,
  launchChromium,
  offlineContext,
  rendererDir,
  startHost,
  tempDir,
  type RunningHost
} from '../e2e/harness.ts'

// Browsers ask for a page's icon on their own: without one linked, every page cost a 404.

const built = existsSync(join(rendererDir, 'index.html'))
if (!built) {
  if (process.env['CI'] === 'true') throw new Error(`the renderer is not built: ${rendererDir} is missing`)
  console.warn(`SKIPPING the app icon tests: the renderer is not built (npm run build)`)
}

/** The `href` of every `<link rel="icon">` in the built page. */
function iconLinks(html: string): string[] {
  return [...html.matchAll(/<link\b[^>]*>/g)]
    .map((tag) => tag[0])
    .filter((tag) => /\brel="(?:[^"]*\s)?icon(?:\s[^"]*)?"/.test(tag))
    .map((tag) => /\bhref="([^"]+)"/.exec(tag)?.[1] ?? '')
}

describe.skipIf(!built)('the app icon on the web host', () => {
  const data = tempDir('podnet-icon-')
  let running: RunningHost

  beforeAll(async () => {
    running = await startHost(data.path)
  })

  afterAll(async () => {
    await running?.stop()
    data.remove()
  })

  test('the page links one SVG icon, and the host serves it with 200 as image/svg+xml', async () => {
    const links = iconLinks(readFileSync(join(rendererDir, 'index.html'), 'utf8'))
    expect(links).toHaveLength(1)
    // Relative, so the same page works from the desktop app's file:// URL.
    expect(links[0]).not.toMatch(/^(?:\/|[a-z]+:)/)
    const response = await fetch(new URL(links[0]!, `${running.host.origin}/`))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml\b/)
    expect(await response.text()).toMatch(/^<svg\b[^>]*viewBox="0 0 512 512"/)
  })
})

const browserless = built ? e2eUnavailable() : 'the renderer is not built'

describe.skipIf(browserless !== null)('the app in Chromium over the web host', () => {
  let browser: Browser
  let closeBrowser: () => Promise<void>
  const data = tempDir('podnet-icon-e2e-')
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

  test('loads its first page, icon included, without a single 4xx or 5xx answer', async () => {
    const { context } = await offlineContext(browser, () => running.host.origin)
    try {
      const page = await context.newPage()
      const answers: string[] = []
      page.on('response', (response) => {
        answers.push(`${response.status()} ${new URL(response.url()).pathname}`)
      })
      await page.goto(running.host.url)
      await page.getByLabel('Name').waitFor()
      // Chromium asks for the linked icon once the page has loaded (a browser window asks for
      // /favicon.ico when a page links none, and got 404 for it).
      await expect
        .poll(() => answers.filter((a) => a.endsWith('.svg') || a.endsWith('.ico')))
        .toEqual(['200 /icon.svg'])
      await page.waitForLoadState('networkidle')
      expect(answers.filter((a) => !/^[23]\d\d /.test(a))).toEqual([])
    } finally {
      await context.close()
    }
  })
})
