import { describe, expect, test } from 'vitest'
import { e2eUnavailable, seriousAxeViolations, withHostAndBrowser } from './harness.ts'
import { flagsOf, lessonPageAt, showTerminal, terminalText, type } from './live-terminal-page.ts'

const unavailable = e2eUnavailable()

describe.skipIf(unavailable !== null)('a lesson’s live terminals in Chromium', () => {
  const app = withHostAndBrowser('podnet-e2e-lesson-live-terminals-')

  test('tcpdump run with & prints another tab’s curl to a Service as it happens; fg and Ctrl+C print the counts and pass the task', async () => {
    const { context, page } = await lessonPageAt(app, 'from-outside', 'local-policy')
    await expect.poll(() => page.locator('.task .status').innerText()).not.toMatch(/^Done/)

    await showTerminal(page, 'laptop', 'laptop')
    await type(page, 'curl -sS --connect-timeout 2 http://192.168.56.11:30090/')
    await expect
      .poll(() => terminalText(page))
      .toMatch(/curl: \(28\) Failed to connect to 192\.168\.56\.11 port 30090/)

    await showTerminal(page, 'node-2', 'node-2')
    await type(page, 'tcpdump -ni cni0 tcp port 8080 &')
    await expect
      .poll(() => terminalText(page))
      .toMatch(/\[1\] \d+\s+tcpdump: verbose[\s\S]*listening on cni0/)
    await expect.poll(() => page.locator('.xterm-host').getAttribute('aria-busy')).toBe('false')

    await showTerminal(page, 'laptop', 'laptop')
    await type(page, 'curl -s http://192.168.56.12:30090/')
    await expect.poll(() => terminalText(page)).toMatch(/web-1\s+root@laptop/)

    // The job printed the exchange behind node-2's prompt while the curl ran in the other tab.
    await showTerminal(page, 'node-2', 'node-2')
    await expect
      .poll(async () => flagsOf(await terminalText(page)))
      .toEqual(['S', 'S.', '.', 'P.', '.', 'P.', '.', 'F.', 'F.', '.'])
    expect(await terminalText(page)).toMatch(/IP 192\.168\.56\.100\.\d+ > 10\.244\.2\.2\.8080: Flags \[S\]/)
    expect(await page.locator('.task .status').innerText()).not.toMatch(/^Done/)

    await type(page, 'fg')
    await expect.poll(() => terminalText(page)).toMatch(/fg\s+tcpdump -ni cni0 tcp port 8080\s*$/)
    await page.keyboard.press('Control+C')
    await expect
      .poll(() => terminalText(page))
      .toMatch(
        /\^C\s*10 packets captured\s+10 packets received by filter\s+0 packets dropped by kernel\s+root@node-2:~#/
      )
    await expect.poll(() => page.locator('.task .status').innerText()).toMatch(/^Done/)
    expect(await seriousAxeViolations(page)).toEqual([])
    await context.close()
  })
})
