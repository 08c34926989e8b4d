// `npm run screenshots`: the README's and docs/screenshots' pictures, taken from the real UI in
// Chromium through the web host (build first). Each view in both languages and both themes.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { launchChromium, repoRoot, startHost, tempDir } from '../test/e2e/harness.ts'

const outDir = join(repoRoot, 'docs', 'screenshots')
mkdirSync(outDir, { recursive: true })

const data = tempDir('podnet-screenshots-')
const { browser, close } = await launchChromium()
const running = await startHost(data.path)
try {
  const learner = await running.service.handlers['profiles:create']({ name: 'Ada' })
  await running.service.handlers['profiles:select']({ learnerId: learner.id })
  const course = await running.service.handlers['lessons:list']({})
  const first = course.lessons.find((l) => l.available)
  if (!first) throw new Error('no available lesson to photograph')
  await running.service.handlers['lesson:open']({ learnerId: learner.id, lessonId: first.id })

  const views = [
    { name: 'lessons', hash: '#/lessons' },
    { name: 'lesson', hash: `#/lessons/${first.id}` },
    { name: 'progress', hash: '#/progress' },
    { name: 'settings', hash: '#/settings' }
  ]
  for (const locale of ['en', 'zh-CN'] as const) {
    await running.service.handlers['settings:set']({ learnerId: learner.id, settings: { locale } })
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 800 } })
      const page = await context.newPage()
      for (const view of views) {
        await page.goto(`${running.host.origin}/${view.hash}`)
        await page.locator('main h1').first().waitFor()
        await page.waitForLoadState('networkidle')
        const suffix = colorScheme === 'light' ? '' : '-dark'
        await page.screenshot({ path: join(outDir, `${view.name}-${locale}${suffix}.png`) })
      }
      await context.close()
    }
  }
  console.log(`screenshots written to ${outDir}`)
} finally {
  await running.stop()
  await close()
  data.remove()
}
