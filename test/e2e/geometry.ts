import type { Locator } from 'playwright-core'

/** A box on screen in CSS pixels, relative to the window (getBoundingClientRect). */
export interface Rect {
  left: number
  top: number
  right: number
  bottom: number
  width: number
  height: number
}

/** Where the first element `locator` matches is on screen now. */
export function rectOf(locator: Locator): Promise<Rect> {
  return locator.first().evaluate((el) => {
    const r = el.getBoundingClientRect()
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }
  })
}

/** Wholly in a window of `viewport`'s size: nothing of it needs the page scrolled to be seen. */
export function insideViewport(rect: Rect, viewport: { width: number; height: number }): boolean {
  return rect.left >= 0 && rect.top >= 0 && rect.right <= viewport.width && rect.bottom <= viewport.height
}

/** `inner` lies within `outer`, give or take a pixel of rounding. */
export function inside(inner: Rect, outer: Rect): boolean {
  const slack = 1
  return (
    inner.left >= outer.left - slack &&
    inner.top >= outer.top - slack &&
    inner.right <= outer.right + slack &&
    inner.bottom <= outer.bottom + slack
  )
}
