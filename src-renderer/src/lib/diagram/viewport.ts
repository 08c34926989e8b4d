import type { Attachment } from 'svelte/attachments'

/** What a press must not start a pan on: it belongs to the control under the pointer. */
const interactive = 'button, a, input, select, textarea, [role="button"], [data-object]'

/** Past this many pixels a press is a drag, and the click that ends it no longer selects anything. */
const dragThreshold = 4

/**
 * A scrolling box the learner can drag to move what it shows, as a map is dragged. It only scrolls
 * the box (the scrollbars, the keyboard and a wheel keep working) and does nothing while the
 * content fits. Devices keep their clicks: a press on one starts no drag.
 */
export function dragToPan(): Attachment<HTMLElement> {
  return (box) => {
    let start: { x: number; y: number; left: number; top: number; id: number } | null = null
    let dragged = false

    const pannable = (): boolean =>
      box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1

    function down(event: PointerEvent): void {
      if (event.button !== 0 || !pannable()) return
      if (event.target instanceof Element && event.target.closest(interactive)) return
      start = {
        x: event.clientX,
        y: event.clientY,
        left: box.scrollLeft,
        top: box.scrollTop,
        id: event.pointerId
      }
      dragged = false
    }
    function move(event: PointerEvent): void {
      if (!start) {
        box.classList.toggle('pannable', pannable())
        return
      }
      if (event.pointerId !== start.id) return
      const dx = event.clientX - start.x
      const dy = event.clientY - start.y
      if (!dragged && Math.hypot(dx, dy) < dragThreshold) return
      if (!dragged) {
        dragged = true
        box.setPointerCapture(event.pointerId)
        box.classList.add('panning')
      }
      box.scrollLeft = start.left - dx
      box.scrollTop = start.top - dy
      event.preventDefault()
    }
    function up(event: PointerEvent): void {
      if (!start || event.pointerId !== start.id) return
      if (box.hasPointerCapture(event.pointerId)) box.releasePointerCapture(event.pointerId)
      box.classList.remove('panning')
      start = null
    }
    // A drag that ends over a device must not also select it.
    function click(event: MouseEvent): void {
      if (!dragged) return
      dragged = false
      event.stopPropagation()
      event.preventDefault()
    }
    box.addEventListener('pointerdown', down)
    box.addEventListener('pointermove', move)
    box.addEventListener('pointerup', up)
    box.addEventListener('pointercancel', up)
    box.addEventListener('click', click, true)
    return () => {
      box.removeEventListener('pointerdown', down)
      box.removeEventListener('pointermove', move)
      box.removeEventListener('pointerup', up)
      box.removeEventListener('pointercancel', up)
      box.removeEventListener('click', click, true)
    }
  }
}

/** The part of a scrolling box's content on screen, in the content's pixels. */
export interface View {
  left: number
  top: number
  width: number
  height: number
}

/**
 * Scrolls `box`, showing `view`, so that a point of its content (in the content's pixels) is in
 * view: left alone while it is already inside, by a margin; otherwise brought to the centre. The
 * view is the caller's record of the box, since reading the box's own scroll offsets and size
 * lays out the whole page first.
 */
export function keepInView(
  box: HTMLElement,
  view: View,
  point: { x: number; y: number },
  margin: number,
  behavior: ScrollBehavior
): void {
  const axis = (at: number, scrolled: number, size: number): number | undefined =>
    at < scrolled + margin || at > scrolled + size - margin ? Math.max(0, at - size / 2) : undefined
  const left = axis(point.x, view.left, view.width)
  const top = axis(point.y, view.top, view.height)
  if (left === undefined && top === undefined) return
  box.scrollTo({ left: left ?? view.left, top: top ?? view.top, behavior })
}
