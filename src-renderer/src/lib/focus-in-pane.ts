/**
 * Moves keyboard focus to `target` and scrolls only the pane that holds it, so that `top` (the
 * start of what just appeared) sits at the pane's top edge. A plain focus() scrolls every
 * scrollable ancestor into line, the page and the lab beside the pane included.
 */
export function focusInPane(target: HTMLElement, top: HTMLElement, pane: HTMLElement | null): void {
  target.focus({ preventScroll: true })
  if (!pane) return
  const offset = top.getBoundingClientRect().top - pane.getBoundingClientRect().top
  pane.scrollTop = Math.max(0, pane.scrollTop + offset)
}
