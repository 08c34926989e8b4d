// `npm run screenshots`: the README's and docs/screenshots' pictures, taken from the real UI in
// Chromium through the web host (build first). Every view of the learner's workspace in both
// languages and every theme, named `<view>-<locale>-<theme>.png`.
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { CourseDriver, courseLessons } from '../test/e2e/course-driver.ts'
import { dashboardScreenshots } from './dashboard-screenshots.ts'
import { launchChromium, repoRoot, startHost, tempDir } from '../test/e2e/harness.ts'

const outDir = join(repoRoot, 'docs', 'screenshots')
mkdirSync(outDir, { recursive: true })

const locales = ['en', 'zh-CN'] as const
const themes = ['light', 'dark', 'high-contrast'] as const
/** Views the header's navigation leads to that get their own picture below, not a generic one. */
const coveredViews = new Set(['#/lessons', '#/progress', '#/settings'])
const tour = courseLessons()[0]!.lesson

const data = tempDir('podnet-screenshots-')
const { browser, close } = await launchChromium()
const running = await startHost(data.path)
// The host's link carries its token; every page opens through it.
const url = running.host.url
const written = new Set<string>()

/** Runs a command in a node's shell tab, as the learner types it. */
async function shell(page: Page, target: string, command: string): Promise<void> {
  await page.locator('.terminal-tab', { hasText: new RegExp(`^${target}$`) }).click()
  await page.locator('.xterm-host .xterm-helper-textarea').focus()
  await page.keyboard.type(command)
  await page.keyboard.press('Enter')
  // Done when the node's next prompt follows the command.
  const echoed = command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  await page.locator('.xterm-rows', { hasText: new RegExp(`${echoed}\\s*root@${target}`) }).waitFor()
}

async function open(page: Page, hash: string): Promise<void> {
  await page.goto(`${url}${hash}`)
  await page.reload()
  await page.locator('main h1').first().waitFor()
}

try {
  // The first-run screen, before anyone has a profile: it follows the OS's language and scheme.
  for (const locale of locales) {
    for (const theme of ['light', 'dark'] as const) {
      const context = await browser.newContext({
        colorScheme: theme,
        locale,
        viewport: { width: 1280, height: 800 }
      })
      const page = await context.newPage()
      await open(page, '')
      await page.waitForLoadState('networkidle')
      const name = `first-run-${locale}-${theme}.png`
      written.add(name)
      await page.screenshot({ path: join(outDir, name) })
      await context.close()
    }
  }

  const learners = {
    fresh: (await running.service.handlers['profiles:create']({ name: 'Ada' })).id,
    quiz: (await running.service.handlers['profiles:create']({ name: 'Lin' })).id,
    done: (await running.service.handlers['profiles:create']({ name: 'Grace' })).id
  }
  const select = (learnerId: string) => running.service.handlers['profiles:select']({ learnerId })
  // Two learners take the tour through the UI: one stops at its quiz, one finishes it.
  for (const [learnerId, until] of [
    [learners.quiz, 'quiz'],
    [learners.done, null]
  ] as const) {
    await select(learnerId)
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    await page.goto(`${url}#/lessons/${tour.id}`)
    const driver = new CourseDriver(page, tour)
    if (until) await driver.completeUntil(until)
    else await driver.complete()
    await context.close()
  }

  for (const locale of locales) {
    for (const theme of themes) {
      for (const learnerId of Object.values(learners))
        await running.service.handlers['settings:set']({ learnerId, settings: { locale, theme } })
      const context = await browser.newContext({
        colorScheme: theme === 'dark' ? 'dark' : 'light',
        locale,
        viewport: { width: 1280, height: 800 }
      })
      const page = await context.newPage()
      const shot = async (view: string, element?: string): Promise<void> => {
        await page.waitForLoadState('networkidle')
        const name = `${view}-${locale}-${theme}.png`
        written.add(name)
        const path = join(outDir, name)
        if (element) await page.locator(element).screenshot({ path })
        else await page.screenshot({ path })
      }

      await select(learners.fresh)
      await open(page, '#/lessons')
      await shot('lessons')
      const otherViews = (
        await page
          .locator('header nav a')
          .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))
      ).filter((view) => !coveredViews.has(view))

      // The lesson player with a command typed into the terminal.
      await open(page, `#/lessons/${tour.id}`)
      await page.locator('.xterm-host .xterm-rows').waitFor()
      await page.locator('.xterm-host .xterm-helper-textarea').focus()
      await page.keyboard.type('ip route')
      await page.keyboard.press('Enter')
      await page.locator('.xterm-rows', { hasText: /default\svia/ }).waitFor()
      await page.locator('main h1').first().focus()
      await shot('lesson')

      // The workspace mid-trace: a curl to the ClusterIP whose only endpoint is on node-2, at the
      // hop where flannel.1 wraps the DNATed packet in VXLAN (diagram, hop list and inspector).
      await page.locator('#trace-to').fill('10.96.0.120')
      await page.locator('#trace-protocol').selectOption('tcp')
      await page.locator('form.trace-form button[type="submit"]').click()
      await page.locator('.hop-inspector').waitFor()
      await page.locator('.stepper .controls').focus()
      for (let i = 0; i < 60 && (await page.locator('.topology .packet.encapsulated').count()) === 0; i++)
        await page.keyboard.press('ArrowRight')
      await page.locator('.topology .packet.encapsulated').waitFor()
      await shot('workspace')

      // The same connection at its request: segment 4, GET /, inside the tunnel, with the
      // segments before and after it folded to one line each.
      if (theme === 'light') {
        for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight')
        for (let i = 0; i < 60 && (await page.locator('.topology .packet.encapsulated').count()) === 0; i++)
          await page.keyboard.press('ArrowRight')
        await page.locator('.topology .packet.encapsulated').waitFor()
        await shot('stepper-connection')
      }

      // The same lab with node-1's bridge down: the ping dies, and the drawing says where and why.
      await shell(page, 'node-1', 'ip link set cni0 down')
      await page.locator('#trace-to').fill('10.244.2.2')
      await page.locator('#trace-protocol').selectOption('icmp')
      await page.locator('form.trace-form button[type="submit"]').click()
      await page.locator('.hop-inspector').waitFor()
      await page.locator('.stepper .controls').focus()
      for (let i = 0; i < 200 && (await page.locator('.topology .drop').count()) === 0; i++)
        await page.keyboard.press('ArrowRight')
      await shot('drop')
      await shell(page, 'node-1', 'ip link set cni0 up')

      // Two terminals on one sandbox cluster: a capture in the first shows the second's curl.
      await open(page, '#/sandbox')
      await page.locator('#sandbox-lesson').selectOption(tour.id)
      await page.locator('form.picker button[type="submit"]').click()
      await page.locator('.xterm-host .xterm-rows').waitFor()
      await page.locator('.terminal-tab', { hasText: /^client$/ }).click()
      await page.locator('.xterm-host .xterm-helper-textarea').focus()
      await page.keyboard.type('tcpdump -ni eth0 tcp')
      await page.keyboard.press('Enter')
      await page.locator('.xterm-rows', { hasText: /listening on eth0/ }).waitFor()
      await page.locator('.terminal-actions button').first().click()
      await page.locator('.xterm-host[data-terminal="client#2"]').waitFor()
      await page.locator('.xterm-host .xterm-helper-textarea').focus()
      await page.keyboard.type('curl -s 10.96.0.100')
      await page.keyboard.press('Enter')
      await page.locator('.terminal-tab', { hasText: /^client$/ }).click()
      await page.locator('.xterm-rows', { hasText: /Flags \[F\.\]/ }).waitFor()
      await shot('terminals')

      await select(learners.quiz)
      // A step whose text holds a code block (kubectl's output), scrolled up beside the lab; as the
      // quiz learner, so the lessons list pictured above keeps offering the tour.
      await open(page, '#/lessons/from-outside')
      await page.locator('.lesson-pane .code-block').first().waitFor()
      await page
        .locator('.lesson-pane .code-block')
        .first()
        .evaluate((block) => block.scrollIntoView({ block: 'center' }))
      await shot('code-block')
      await open(page, `#/lessons/${tour.id}`)
      await page.locator('form.question').first().waitFor()
      // The lesson column scrolls on its own: bring the first question up beside the terminal.
      await page
        .locator('form.question')
        .first()
        .evaluate((form) => form.scrollIntoView({ block: 'start' }))
      await shot('quiz')

      await select(learners.done)
      await open(page, `#/lessons/${tour.id}`)
      await page.locator('.completion').waitFor()
      await shot('completion')
      await open(page, '#/progress')
      await page.locator('.progress-table tbody tr').first().waitFor()
      await shot('progress')
      await open(page, '#/settings')
      await shot('settings')
      for (const view of otherViews) {
        await open(page, view)
        await shot(view.replace(/^#\//, '').replace(/\W+/g, '-'))
      }
      await context.close()
    }
  }
  for (const name of await dashboardScreenshots(browser, outDir)) written.add(name)
  // Views come and go with the app; pictures of views that no longer exist must not linger.
  for (const file of readdirSync(outDir))
    if (file.endsWith('.png') && !written.has(file)) rmSync(join(outDir, file))
  console.log(`${written.size} screenshots written to ${outDir}`)
} finally {
  await running.stop()
  await close()
  data.remove()
}
