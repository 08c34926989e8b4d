import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'

/** An element that took keyboard focus without any visible sign of it. */
export interface InvisibleFocus {
  element: string
}

/**
 * Moves focus with Tab / Shift+Tab only, as a keyboard user does, until `target` (or something
 * inside it) has it. Every element passed on the way is checked for a visible focus indicator.
 * Leaving the terminal uses its documented way out (Esc, then Tab), since Tab completes there.
 */
export class KeyboardUser {
  readonly invisibleFocus: InvisibleFocus[] = []

  constructor(readonly page: Page) {}

  async tabTo(target: Locator, maxPresses = 400): Promise<void> {
    // Resolved afresh at every press: lesson text is rendered again when the code highlighter
    // arrives, and a handle taken before that would point at a button no longer on the page.
    for (let presses = 0; presses < maxPresses; presses++) {
      const where = await target.evaluate((el) => {
        const active = document.activeElement
        if (active && (el === active || el.contains(active))) return 'here'
        if (!active || active === document.body) return 'after'
        // DOCUMENT_POSITION_FOLLOWING (4): the target comes after what has focus.
        return active.compareDocumentPosition(el) & 4 ? 'after' : 'before'
      })
      if (where === 'here') {
        await this.#checkVisibleFocus()
        return
      }
      const inTerminal = await this.page.evaluate(
        () => document.activeElement?.closest('.xterm-host') !== null && document.activeElement !== null
      )
      if (inTerminal && where === 'after') await this.page.keyboard.press('Escape')
      await this.page.keyboard.press(where === 'after' ? 'Tab' : 'Shift+Tab')
      await this.#checkVisibleFocus()
    }
    throw new Error(`${String(target)} not reached with ${maxPresses} presses of Tab`)
  }

  /** Tabs to the element and activates it with Enter (buttons, links) or Space (checkboxes). */
  async press(target: Locator, key: 'Enter' | 'Space' = 'Enter'): Promise<void> {
    await this.tabTo(target)
    await this.page.keyboard.press(key)
  }

  async #checkVisibleFocus(): Promise<void> {
    const missing = await this.page.evaluate(() => {
      const active = document.activeElement as HTMLElement | null
      if (!active || active === document.body) return null
      // The terminal's input is an invisible textarea; its host draws the ring (:focus-within).
      const shown = active.closest<HTMLElement>('.xterm-host') ?? active
      const style = getComputedStyle(shown)
      const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
      const ringed = style.boxShadow !== 'none'
      if (outlined || ringed) return null
      const name = active.getAttribute('aria-label') ?? active.textContent?.trim().slice(0, 40) ?? ''
      return `${active.tagName.toLowerCase()}${active.id ? `#${active.id}` : ''} "${name}"`
    })
    if (missing && !this.invisibleFocus.some((f) => f.element === missing))
      this.invisibleFocus.push({ element: missing })
  }

  async type(text: string): Promise<void> {
    await this.page.keyboard.type(text)
  }

  async key(key: string, times = 1): Promise<void> {
    for (let i = 0; i < times; i++) await this.page.keyboard.press(key)
  }

  /** Focus is where the test expects it: the keyboard user's next keys go there. */
  async expectFocusIn(target: Locator): Promise<void> {
    await expect
      .poll(() =>
        target.evaluate(
          (el) =>
            document.activeElement !== null &&
            (el === document.activeElement || el.contains(document.activeElement))
        )
      )
      .toBe(true)
  }
}
