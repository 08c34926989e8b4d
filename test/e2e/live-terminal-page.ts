import type { Page } from 'playwright-core'
import { expect } from 'vitest'

/** What the terminal on screen shows, as xterm laid it out. */
export const terminalText = (page: Page): Promise<string> =>
  page.locator('.xterm-host .xterm-rows').innerText()

/** The TCP flags of every packet line tcpdump printed, in order. */
export const flagsOf = (text: string): string[] =>
  [...text.matchAll(/Flags \[([^\]]+)\]/g)].map((m) => m[1] ?? '')

/** Shows the terminal of the tab named `tab` (its key `key`) and puts the keyboard in it. */
export async function showTerminal(page: Page, tab: string, key: string): Promise<void> {
  await page.getByRole('tab', { name: tab, exact: true }).click()
  await expect.poll(() => page.locator('.xterm-host').getAttribute('data-terminal')).toBe(key)
  await page.locator('.xterm-host .xterm-helper-textarea').focus()
}

/** Types a line into the terminal that has the keyboard and presses Enter. */
export async function type(page: Page, line: string): Promise<void> {
  await page.keyboard.type(line)
  await page.keyboard.press('Enter')
}
