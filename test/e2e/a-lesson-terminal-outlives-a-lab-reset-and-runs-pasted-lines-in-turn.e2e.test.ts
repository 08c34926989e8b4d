import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { e2eUnavailable, seriousAxeViolations, withHostAndBrowser } from './harness.ts'
import { flagsOf, lessonPageAt, showTerminal, terminalText, type } from './live-terminal-page.ts'

const unavailable = e2eUnavailable()

/** Pastes `text` into the terminal that has the keyboard, as the browser's paste would. */
async function paste(page: Page, text: string): Promise<void> {
  await page.locator('.xterm-host .xterm-helper-textarea').evaluate((textarea, pasted) => {
    const data = new DataTransfer()
    data.setData('text/plain', pasted)
    textarea.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
    )
  }, text)
}

const busy = (page: Page): Promise<string | null> => page.locator('.xterm-host').getAttribute('aria-busy')

describe.skipIf(unavailable !== null)('a lesson’s live terminal and its lab’s reset, in Chromium', () => {
  const app = withHostAndBrowser('podnet-e2e-lesson-terminal-reset-')

  test('a capture running at the reset ends with a note; the same tab is a new shell on the new lab, and pasted lines run one by one', async () => {
    const { context, page } = await lessonPageAt(app, 'from-outside', 'local-policy')
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))

    await showTerminal(page, 'node-2', 'node-2')
    await type(page, 'tcpdump -nn -i cni0 tcp port 8080')
    await expect.poll(() => terminalText(page)).toMatch(/listening on cni0/)
    expect(await busy(page)).toBe('true')

    await page.getByRole('button', { name: 'Reset the lab…' }).click()
    await page.getByRole('button', { name: 'Yes, rebuild the lab' }).click()
    await expect
      .poll(() => terminalText(page))
      .toMatch(/listening on cni0[^\n]*\s+Podnet Lab: the lab was reset or rebuilt[\s\S]*root@node-2:~#\s*$/)
    await expect.poll(() => busy(page)).toBe('false')

    // A capture typed now listens on the rebuilt lab; the one from before the reset is gone.
    await page.locator('.xterm-host .xterm-helper-textarea').focus()
    await type(page, 'tcpdump -c 1 -nn -i cni0 tcp port 8080 &')
    await expect
      .poll(() => terminalText(page))
      .toMatch(/\[1\] \d+[\s\S]*listening on cni0[^\n]*\s+root@node-2:~#\s*$/)
    await showTerminal(page, 'laptop', 'laptop')
    await type(page, 'curl -s http://192.168.56.12:30090/')
    await expect.poll(() => terminalText(page)).toMatch(/web-1\s+root@laptop/)
    await showTerminal(page, 'node-2', 'node-2')
    await expect.poll(async () => flagsOf(await terminalText(page))).toEqual(['S'])

    // bash reads a paste a line at a time: each runs once the one before it gave the prompt back
    // (and the ended job is reported after the first, as bash reports it before its next prompt).
    await paste(page, 'echo first\necho second\necho third\n')
    await expect
      .poll(() => terminalText(page))
      .toMatch(
        /# echo first\s+first\s+\[1\]\+\s+Done\s+tcpdump -c 1 -nn -i cni0 tcp port 8080\s+root@node-2:~# echo second\s+second\s+root@node-2:~# echo third\s+third\s+root@node-2:~#\s*$/
      )
    expect(await seriousAxeViolations(page)).toEqual([])
    await context.close()
    expect(errors).toEqual([])
  })
})
