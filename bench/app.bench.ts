import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Browser } from 'playwright-core'
import { launchChromium, rendererDir, startHost, tempDir, type RunningHost } from '../test/e2e/harness.ts'
import type { Figure } from './figure.ts'

let browser: Browser
let closeBrowser: () => Promise<void>
let running: RunningHost
const data = tempDir('podnet-bench-app-')
let learnerId = ''

/** JS the first page load needs: the entry chunk index.html references (lazy chunks excluded). */
function initialJsGzipKb(): number {
  const html = readFileSync(join(rendererDir, 'index.html'), 'utf8')
  const entries = [...html.matchAll(/<script[^>]+src="\/?([^"]+)"/g)].map((m) => m[1]!)
  const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/?([^"]+)"/g)].map((m) => m[1]!)
  const files = [...new Set([...entries, ...preloads])]
  if (files.length === 0) throw new Error(`no script in ${rendererDir}/index.html; assets: ${readdirSync(join(rendererDir, 'assets')).join(', ')}`)
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(rendererDir, file))).length, 0)
  return bytes / 1024
}

const figures: Figure[] = [
  {
    name: 'app.initial-js-gzip',
    unit: 'KB',
    target: '< 350 KB',
    runs: 1,
    sample: initialJsGzipKb
  },
  {
    name: 'app.navigation-to-lesson-list-interactive',
    unit: 'ms',
    target: '< 800 ms',
    runs: 9,
    setup: async () => {
      ;({ browser, close: closeBrowser } = await launchChromium())
      running = await startHost(data.path)
      const learner = running.service.handlers['profiles:create']({ name: 'Bench' })
      learnerId = (await learner).id
      await running.service.handlers['profiles:select']({ learnerId })
    },
    sample: async () => {
      // A plain context: the e2e tests' request interception would add its own round trips.
      const context = await browser.newContext()
      const page = await context.newPage()
      const start = performance.now()
      await page.goto(`${running.host.origin}/#/lessons`)
      // Interactive = the first lesson link is in the DOM, visible and enabled for a click.
      await page.locator('.lesson-list a').first().click({ trial: true })
      const elapsed = performance.now() - start
      await context.close()
      return elapsed
    },
    teardown: async () => {
      await running.stop()
      await closeBrowser()
      data.remove()
    }
  }
]

export default figures
