import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import {
  e2eUnavailable,
  offlineContext,
  seriousAxeViolations,
  startHost,
  tempDir,
  withHostAndBrowser
} from '../e2e/harness.ts'

const unavailable = e2eUnavailable()

// The web host's API needs its token, which only the link it printed carries. Opened without
// it, the app says so and where to find the link, instead of failing its calls one by one.

describe.skipIf(unavailable !== null)('the app opened with and without the host’s link', () => {
  const app = withHostAndBrowser('podnet-e2e-token-link-')

  async function openPage(
    url: string,
    locale = 'en-US',
    origin = (): string => app.host.origin
  ): Promise<{ page: Page; foreign: string[] }> {
    const { context, foreignRequests } = await offlineContext(app.browser, origin, { locale })
    const page = await context.newPage()
    page.setDefaultTimeout(20_000)
    await page.goto(url)
    return { page, foreign: foreignRequests }
  }

  test('the bare URL shows where to find the link, in English and in Chinese', async () => {
    const { page, foreign } = await openPage(`${app.host.origin}/`)
    const alert = page.getByRole('alert')
    await alert.getByRole('heading', { name: 'Open Podnet Lab with its link' }).waitFor()
    expect(await alert.innerText()).toContain('npm run serve printed in the terminal')
    expect(await seriousAxeViolations(page)).toEqual([])
    expect(foreign).toEqual([])
    await page.context().close()

    const zh = (await openPage(`${app.host.origin}/#/lessons`, 'zh-CN')).page
    await zh.getByRole('heading', { name: '请通过带令牌的链接打开 Podnet Lab' }).waitFor()
    expect(await zh.getByRole('alert').innerText()).toContain('npm run serve')
    await zh.context().close()
  })

  test('the link works, leaves the address bar, and the app keeps working across navigation and reloads', async () => {
    const { page, foreign } = await openPage(app.host.url)
    await page.getByLabel('Name').fill('Ada')
    await page.getByRole('button', { name: 'Start' }).click()
    await page.getByRole('heading', { level: 1, name: 'Lessons' }).waitFor()
    expect(page.url()).not.toContain('token')

    await page.getByRole('navigation').getByRole('link', { name: 'Progress' }).click()
    await page.getByRole('heading', { level: 1, name: 'Progress' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { level: 1, name: 'Progress' }).waitFor()
    // The bare address typed again in the same tab: a new document, the same tab's token.
    await page.goto(`${app.host.origin}/`)
    await page.getByRole('heading', { level: 1, name: 'Lessons' }).waitFor()
    expect(await page.getByRole('heading', { name: 'Open Podnet Lab with its link' }).count()).toBe(0)
    expect(foreign).toEqual([])
    await page.context().close()
  })

  test('on a class host the bare URL is the join form, as the learners’ link is', async () => {
    const classData = tempDir('podnet-e2e-token-link-class-')
    const classHost = await startHost(classData.path, { classroom: true })
    try {
      const { page } = await openPage(`${classHost.host.origin}/`, 'en-US', () => classHost.host.origin)
      await page.getByLabel('Class code').waitFor()
      expect(page.url()).toMatch(/#\/join/)
      expect(await page.getByRole('heading', { name: 'Open Podnet Lab with its link' }).count()).toBe(0)
      await page.context().close()
    } finally {
      await classHost.stop()
      classData.remove()
    }
  })
})
