import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, test } from 'vitest'
import { lessonFilesFromDir } from '../../src-main/api/lesson-files.ts'
import { loadCourse } from '../../src-main/core/lesson/course-loader.ts'
import { createHighlight } from '../../src-renderer/src/lib/highlight/shiki-highlight.ts'
import { renderMarkdown } from '../../src-renderer/src/lib/markdown.ts'
import { e2eUnavailable, repoRoot, selectedLearner, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()
const locales = ['en', 'zh-CN'] as const
type Locale = (typeof locales)[number]

function message(locale: Locale, key: string): string {
  const messages = JSON.parse(
    readFileSync(join(repoRoot, 'src-renderer/messages', `${locale}.json`), 'utf8')
  ) as Record<string, string>
  const text = messages[key]
  if (text === undefined) throw new Error(`no message ${key}`)
  return text
}

/** Every step of every lesson, as the lesson view renders its text once the highlighter is in. */
function renderedSteps(locale: Locale): { step: string; html: string }[] {
  const label = (key: string): string => message(locale, key)
  const highlight = createHighlight()
  const course = loadCourse(lessonFilesFromDir(join(repoRoot, 'lessons')))
  return course.lessons.flatMap((entry) => {
    if (entry.status !== 'available') throw new Error(`${entry.dir} does not load`)
    const { lesson, prose } = entry.lesson
    return lesson.steps.map((step, i) => ({
      step: `${entry.dir} step ${i + 1} (${step.id})`,
      html: renderMarkdown(prose[locale].sections[step.id] ?? '', {
        runLabel: label('run_in_terminal'),
        runOnLabel: (target) => label('run_on_target').replace('{target}', target),
        copyLabel: label('copy_command'),
        copyBlockLabel: label('copy_code_block'),
        codeLabel: label('prose_code'),
        tableLabel: label('prose_table'),
        highlight
      })
    }))
  })
}

/**
 * Puts each step's text into the open lesson's text pane, in the app's own page and styles, and
 * lists what sticks out: an element whose right edge passes the text column's, a text block that
 * overflows sideways, or a lesson column that scrolls sideways. Code blocks and tables may be
 * wider than the column as long as they scroll inside their own box.
 */
async function overflowingSteps(page: Page, steps: { step: string; html: string }[]): Promise<string[]> {
  return page.evaluate((all) => {
    const prose = document.querySelector<HTMLElement>('.lesson-pane .prose')
    const column = document.querySelector<HTMLElement>('.lesson-column')
    if (!prose || !column) return ['the lesson view shows no text pane']
    const scrollers = 'pre, .table-scroll'
    const found: string[] = []
    for (const { step, html } of all) {
      prose.innerHTML = html
      const edge = prose.getBoundingClientRect().right + 0.5
      const columnBox = column.getBoundingClientRect()
      const problems: string[] = []
      if (edge > columnBox.left + column.clientLeft + column.clientWidth + 0.5)
        problems.push('the text is wider than its column')
      if (column.scrollWidth > column.clientWidth) problems.push('the lesson column scrolls sideways')
      for (const element of prose.querySelectorAll<HTMLElement>('*')) {
        const box = element.closest(scrollers)
        if (box && box !== element) continue
        const what = `<${element.tagName.toLowerCase()}${element.className ? ` class="${String(element.className)}"` : ''}> "${(element.textContent ?? '').trim().slice(0, 50)}"`
        const right = element.getBoundingClientRect().right
        if (right > edge) problems.push(`${what} ends ${Math.round(right - edge)} px past the column`)
        const style = getComputedStyle(element)
        const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll'
        if (element.matches(scrollers) && !scrolls) problems.push(`${what} does not scroll`)
        else if (
          !element.matches(scrollers) &&
          style.display !== 'inline' &&
          element.scrollWidth > element.clientWidth + 1
        )
          problems.push(`${what} overflows its own box by ${element.scrollWidth - element.clientWidth} px`)
      }
      if (problems.length > 0) found.push(`${step}: ${problems.slice(0, 3).join('; ')}`)
    }
    return found
  }, steps)
}

describe.skipIf(unavailable !== null)('lesson text in its column, 1280×800', () => {
  const app = withHostAndBrowser('podnet-e2e-columns-')
  let learnerId: string

  beforeAll(async () => {
    learnerId = await selectedLearner(app.service, 'Columns')
  })

  test.each(locales)(
    '%s: every step of every lesson wraps its prose and scrolls only its code, at the default split and narrowed',
    async (locale) => {
      await app.service.handlers['settings:set']({ learnerId, settings: { locale } })
      const steps = renderedSteps(locale)
      expect(steps.length).toBeGreaterThan(100)
      const { context } = await app.offlineContext({ locale })
      const page = await context.newPage()
      await page.setViewportSize({ width: 1280, height: 800 })
      await page.goto(`${app.host.url}#/lessons/services-clusterip`)
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(locale)
      await page.locator('.lesson-pane .prose').waitFor()

      const column = page.locator('.lesson-column')
      const width = async (): Promise<number> => (await column.boundingBox())?.width ?? 0
      // The default split gives the lesson 30 % of the workspace's width.
      expect(await width()).toBeGreaterThan(1280 * 0.27)
      expect(await width()).toBeLessThan(1280 * 0.32)
      expect(await overflowingSteps(page, steps)).toEqual([])

      // The learner drags the divider as far left as it goes.
      await page.getByRole('separator', { name: message(locale, 'pane_resize_workspace') }).focus()
      await page.keyboard.press('Home')
      await expect.poll(width).toBeLessThan(1280 * 0.22)
      expect(await overflowingSteps(page, steps)).toEqual([])
      await context.close()
    },
    60_000
  )
})
