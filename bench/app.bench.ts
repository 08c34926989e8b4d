import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { courseLessons } from '../test/e2e/course-driver.ts'
import { rendererDir } from '../test/e2e/harness.ts'
import { BrowserApp } from './browser-app.ts'
import type { Figure } from './figure.ts'

/** JS the first page load needs: the entry chunk index.html references (lazy chunks excluded). */
function initialJsGzipKb(): number {
  const html = readFileSync(join(rendererDir, 'index.html'), 'utf8')
  const entries = [...html.matchAll(/<script[^>]+src="\/?([^"]+)"/g)].map((m) => m[1]!)
  const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/?([^"]+)"/g)].map(
    (m) => m[1]!
  )
  const files = [...new Set([...entries, ...preloads])]
  if (files.length === 0)
    throw new Error(
      `no script in ${rendererDir}/index.html; assets: ${readdirSync(join(rendererDir, 'assets')).join(', ')}`
    )
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(rendererDir, file))).length, 0)
  return bytes / 1024
}

const firstLesson = courseLessons()[0]!.lesson
const app = new BrowserApp()

/**
 * A ClusterIP connection from the tour's client pod to the api Service, whose only endpoint is on
 * the other node: DNAT, VXLAN both ways and the SYN-ACK back make it a long trace.
 */
const longTrace = { from: 'client', to: '10.96.0.120', protocol: 'tcp', port: '80' }
/** Hops played per sample: the figure is about a trace of at least 20 hops playing. */
const hopsToPlay = 20
let traceHops = 0

async function longestTaskWhilePlaying(): Promise<number> {
  const { page, close } = await app.page()
  await page.goto(`${app.running.host.url}#/lessons/${firstLesson.id}`)
  const form = page.locator('form.trace-form')
  await form.locator('#trace-from').selectOption(longTrace.from)
  await form.locator('#trace-to').fill(longTrace.to)
  await form.locator('#trace-protocol').selectOption(longTrace.protocol)
  await form.locator('#trace-port').fill(longTrace.port)
  await form.locator('button[type="submit"]').click()
  const position = page.locator('.stepper .position')
  await page.waitForFunction(() =>
    /\d+ of (\d+)/.test(document.querySelector('.stepper .position')?.textContent ?? '')
  )
  traceHops = Number((await position.innerText()).match(/of (\d+)/)?.[1])
  if (!(traceHops >= hopsToPlay + 1))
    throw new Error(`the trace has ${traceHops} hops; the figure needs more than ${hopsToPlay}`)
  // Fastest speed, so the sample stays short; each hop still re-renders stepper, inspector and topology.
  await page.locator('.stepper .controls select').selectOption('4')
  await page.evaluate(() => {
    const w = window as unknown as { longestTask: number }
    w.longestTask = 0
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.longestTask = Math.max(w.longestTask, entry.duration)
    }).observe({ type: 'longtask' })
  })
  await page.locator('.stepper .controls').focus()
  await page.keyboard.press(' ')
  await page.waitForFunction(
    (hops) =>
      Number(/(\d+) of/.exec(document.querySelector('.stepper .position')?.textContent ?? '')?.[1]) > hops,
    hopsToPlay,
    { timeout: 60_000 }
  )
  const longest = await page.evaluate(() => (window as unknown as { longestTask: number }).longestTask)
  await close()
  return longest
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
    name: 'app.navigation-to-first-lesson-interactive',
    unit: 'ms',
    target: '< 800 ms',
    runs: 7,
    setup: () => app.start(),
    sample: async () => {
      const { page, close } = await app.page()
      const start = performance.now()
      await page.goto(`${app.running.host.url}#/lessons/${firstLesson.id}`)
      // Interactive = the step can be acted on: its title shown, the terminal ready for typing,
      // and the step's Next button enabled for a click.
      await page.locator('#step-title').waitFor()
      await page.locator('.xterm-host .xterm-helper-textarea').waitFor({ state: 'attached' })
      await page.locator('.step-actions button:not(.secondary)').click({ trial: true })
      const elapsed = performance.now() - start
      await close()
      return elapsed
    },
    teardown: () => app.stop()
  },
  {
    name: 'app.longest-task-while-a-trace-plays',
    unit: 'ms',
    target: '< 50 ms (0 = no task reached the 50 ms long-task threshold)',
    runs: 3,
    setup: () => app.start(),
    sample: longestTaskWhilePlaying,
    details: () => [
      `${hopsToPlay} hops played at 4× of a ${traceHops}-hop trace (client → 10.96.0.120:80, tcp)`
    ],
    teardown: () => app.stop()
  }
]

export default figures
