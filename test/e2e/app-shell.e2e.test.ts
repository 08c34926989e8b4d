import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { e2eUnavailable, seriousAxeViolations, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()

describe.skipIf(unavailable !== null)('the app shell in Chromium over the web host', () => {
  const app = withHostAndBrowser('podnet-e2e-shell-')
  const foreign: string[] = []

  async function openPage(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const { context, foreignRequests } = await app.offlineContext({ colorScheme })
    const page = await context.newPage()
    page.on('close', () => foreign.push(...foreignRequests))
    await page.goto(app.host.url)
    return page
  }

  async function expectAccessible(page: Page, view: string): Promise<void> {
    const violations = await seriousAxeViolations(page)
    expect(violations, `${view}: ${JSON.stringify(violations)}`).toEqual([])
  }

  test('a learner creates a profile, switches language, opens a lesson and finds it on Progress after a host restart', async () => {
    const page = await openPage()
    await page.getByLabel('Name').fill('Ada')
    await expectAccessible(page, 'profile gate')
    await page.getByRole('button', { name: 'Start' }).click()

    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Lessons' }).count()).toBe(1)
    await expectAccessible(page, 'lessons (en)')
    const firstLesson = page.locator('.lesson-list a').first()
    const titleEn = await firstLesson.innerText()

    await page.getByRole('button', { name: '切换到中文' }).click()
    await expect.poll(() => page.getByRole('heading', { level: 1, name: '课程' }).count()).toBe(1)
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
    const titleZh = await firstLesson.innerText()
    expect(titleZh).not.toBe(titleEn)
    expect(titleZh).toMatch(/[\u4e00-\u9fff]/)
    await expectAccessible(page, 'lessons (zh-CN)')

    await firstLesson.click()
    await expect.poll(() => page.locator('#lesson-title').innerText()).toBe(titleZh)
    await expectAccessible(page, 'lesson (zh-CN)')

    await page.getByRole('link', { name: '设置' }).click()
    await page.getByRole('radio', { name: 'English' }).check()
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Settings' }).count()).toBe(1)
    await expectAccessible(page, 'settings (en)')
    await page.context().close()

    await app.restartHost()

    const again = await openPage('dark')
    await again.getByRole('link', { name: 'Progress' }).click()
    const row = again.locator('.progress-table tbody tr').first()
    await expect.poll(() => row.locator('th').innerText()).toBe(titleEn)
    await expectAccessible(again, 'progress (en, dark)')
    await again.context().close()
    expect(foreign).toEqual([])
  })
})
