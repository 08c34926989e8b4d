import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { e2eUnavailable, seriousAxeViolations, withHostAndBrowser } from './harness.ts'

const unavailable = e2eUnavailable()

const terminalText = (page: Page): Promise<string> => page.locator('.xterm-host .xterm-rows').innerText()

describe.skipIf(unavailable !== null)('a web host that goes away under an open lesson', () => {
  const app = withHostAndBrowser('podnet-e2e-connection-')

  test('shows a banner, runs nothing, prints nothing like lab output, and picks up when the host is back', async () => {
    const { context, foreignRequests } = await app.offlineContext()
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))

    await page.goto(app.host.url)
    await page.getByLabel('Name').fill('Ada')
    await page.getByRole('button', { name: 'Start' }).click()
    await page.locator('.lesson-list a').first().click()
    await expect.poll(() => page.locator('#step-title').innerText()).toBe('Welcome')
    await expect.poll(() => page.locator('.xterm-host .xterm-rows').count()).toBe(1)
    await page.getByRole('button', { name: 'Run on client: ip route' }).click()
    await expect.poll(() => terminalText(page)).toMatch(/default via 10\.244\.1\.1 dev eth0/)
    const banner = page.getByRole('alert').filter({ hasText: 'Lost the connection to Podnet Lab' })
    expect(await banner.count()).toBe(0)

    await app.restartHost(async () => {
      await page.locator('.xterm-host .xterm-helper-textarea').focus()
      await page.keyboard.type('ip addr')
      await page.keyboard.press('Enter')
      await expect.poll(() => banner.count()).toBe(1)
      expect(await banner.innerText()).toMatch(/is npm run serve still running\?/)
      await expect.poll(() => terminalText(page)).toMatch(/not sent/)
      const offline = await terminalText(page)
      expect(offline).not.toMatch(/unreachable|Failed to fetch|TypeError/i)
      // The line never reached the lab: nothing it would print is there, and it waits at the prompt.
      expect(offline).not.toMatch(/inet /)
      expect(offline.trimEnd()).toMatch(/# ip addr$/)
      expect(await seriousAxeViolations(page)).toEqual([])
    })
    // The same port and data folder: the page's link and the learner's lesson are good again.
    await expect.poll(() => banner.count(), { timeout: 20_000 }).toBe(0)
    await page.locator('.xterm-host .xterm-helper-textarea').focus()
    await page.keyboard.press('Enter')
    // The new host opens the lesson again from its saved state first, in a lab worker it starts.
    await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/inet 10\.244\.\d+\.\d+\/24/)

    await context.close()
    expect(errors).toEqual([])
    expect(foreignRequests).toEqual([])
  }, 120_000)
})
