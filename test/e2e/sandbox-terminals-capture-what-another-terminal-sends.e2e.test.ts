import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { e2eUnavailable, selectedLearner, seriousAxeViolations, withHostAndBrowser } from './harness.ts'
import { flagsOf, showTerminal, terminalText, type } from './live-terminal-page.ts'

const unavailable = e2eUnavailable()

describe.skipIf(unavailable !== null)('several live terminals on one sandbox in Chromium', () => {
  const app = withHostAndBrowser('podnet-e2e-live-terminals-')

  let learners = 0
  /** What each page sent on its stream socket, to see which terminals it closed. */
  const sentFrames = new Map<Page, string[]>()
  async function openSandbox(locale: 'en' | 'zh-CN'): Promise<Page> {
    const name = `Ada ${++learners}`
    await selectedLearner(app.service, name, { locale })
    // Tall enough that a capture's banner, its ten packets and its counts share the screen.
    const context = await app.browser.newContext({ locale, viewport: { width: 1280, height: 1100 } })
    const page = await context.newPage()
    const sent: string[] = []
    sentFrames.set(page, sent)
    page.on('websocket', (socket) => socket.on('framesent', (frame) => sent.push(String(frame.payload))))
    await page.goto(`${app.host.url}#/sandbox`)
    await page.locator('#sandbox-lesson').selectOption('tour')
    await page.locator('form.picker button[type="submit"]').click()
    await expect.poll(() => page.locator('.xterm-host .xterm-rows').count(), { timeout: 20_000 }).toBe(1)
    return page
  }

  test('a capture in one tab prints another tab’s curl as it happens, and Ctrl+C prints the counts', async () => {
    const page = await openSandbox('en')
    await showTerminal(page, 'client', 'client')
    await type(page, 'tcpdump -ni eth0 tcp')
    await expect.poll(() => terminalText(page)).toMatch(/listening on eth0, link-type EN10MB/)
    await expect.poll(() => page.locator('.xterm-host').getAttribute('aria-busy')).toBe('true')

    await page.getByRole('button', { name: 'Open another terminal on client' }).click()
    await showTerminal(page, 'client (2)', 'client#2')
    expect(await terminalText(page)).not.toMatch(/listening/)
    await type(page, 'curl -s 10.96.0.100')
    await expect
      .poll(() => terminalText(page))
      .toMatch(/curl -s 10\.96\.0\.100\s+\S[\s\S]*root@client:\/# \s*$/)

    // The first tab's capture saw the whole exchange while it kept running.
    await showTerminal(page, 'client', 'client')
    await expect
      .poll(async () => flagsOf(await terminalText(page)))
      .toEqual(['S', 'S.', '.', 'P.', '.', 'P.', '.', 'F.', 'F.', '.'])
    expect(await terminalText(page)).toContain('HTTP: GET / HTTP/1.1')
    expect(await terminalText(page)).not.toMatch(/packets captured/)

    await page.keyboard.press('Control+C')
    await expect
      .poll(() => terminalText(page))
      .toMatch(
        /\^C\s*10 packets captured\s+10 packets received by filter\s+0 packets dropped by kernel\s+root@client:\/#/
      )
    await expect.poll(() => page.locator('.xterm-host').getAttribute('aria-busy')).toBe('false')
    expect(await seriousAxeViolations(page)).toEqual([])

    // Closing the second tab ends its terminal; the lab shows the one it was opened beside.
    await showTerminal(page, 'client (2)', 'client#2')
    const unsubscribed = (): string[] =>
      (sentFrames.get(page) ?? []).filter((f) => f.includes('"op":"unsubscribe"'))
    expect(unsubscribed()).toEqual([])
    await page.getByRole('button', { name: 'Close terminal client (2)' }).click()
    await expect.poll(() => unsubscribed().length).toBe(1)
    await expect.poll(() => page.getByRole('tab', { name: 'client (2)' }).count()).toBe(0)
    await expect.poll(() => page.locator('.xterm-host').getAttribute('data-terminal')).toBe('client')
    await page.context().close()
  })

  test('a capture in the background of one terminal, a curl and `wait` in the same line', async () => {
    const page = await openSandbox('en')
    await showTerminal(page, 'client', 'client')
    // `wait` keeps the line until the capture's timeout ends it, on the host's clock.
    await type(page, 'timeout 2 tcpdump -ni eth0 tcp & curl -s 10.96.0.100; wait')
    await expect
      .poll(() => terminalText(page), { timeout: 15_000 })
      .toMatch(/\[1\] \d+[\s\S]*listening on eth0[\s\S]*10 packets captured[\s\S]*root@client:\/# \s*$/)
    const text = await terminalText(page)
    expect(flagsOf(text)).toEqual(['S', 'S.', '.', 'P.', '.', 'P.', '.', 'F.', 'F.', '.'])
    await page.context().close()
  })
})
