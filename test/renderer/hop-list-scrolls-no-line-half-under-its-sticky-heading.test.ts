import { describe, expect, test } from 'vitest'
import { hopListScrollTop, type Span } from '../../src-renderer/src/lib/hop-list-scroll.ts'

/** Lines of 20 px, one after another from the top of the list's content. */
const lines = (from: number, count: number): Span[] =>
  Array.from({ length: count }, (_, i) => ({ top: from + 20 * i, bottom: from + 20 * (i + 1) }))

describe('the hop list following the current hop', () => {
  // A two-line heading (45 px) stuck on top; the current row starts at 100 with a 38 px line,
  // its hops below it; earlier rows of 20 px from 0.
  const base = {
    viewHeight: 200,
    headHeight: 45,
    row: { top: 100, bottom: 400, lineHeight: 38 },
    lines: [...lines(0, 5), ...lines(138, 13)]
  }

  test('stays put when the hop shows whole and no line is cut by the heading', () => {
    expect(hopListScrollTop({ ...base, scrollTop: 15, target: { top: 138, bottom: 158 } })).toBe(15)
  })

  test('scrolls on a line that the heading would cut in half, rather than leave it half shown', () => {
    // At 25 the heading's lower edge (70) cuts the line at 60–80: move 10 px on to hide it whole.
    expect(hopListScrollTop({ ...base, scrollTop: 25, target: { top: 138, bottom: 158 } })).toBe(35)
  })

  test('brings a hop far down the row up to the bottom of the list, its row line stuck above it', () => {
    const target = { top: 338, bottom: 358 }
    const top = hopListScrollTop({ ...base, scrollTop: 0, target })
    // 158 would show the hop at the bottom but cut the hop at 238–258 under the stuck lines.
    expect(top).toBe(175)
    const stuckEdge = top + 45 + 38
    expect(base.lines.some((l) => l.top === stuckEdge)).toBe(true)
    expect(target.top).toBeGreaterThanOrEqual(stuckEdge)
    expect(target.bottom).toBeLessThanOrEqual(top + base.viewHeight)
  })

  test('scrolls back up so a hop above the stuck lines shows below them', () => {
    expect(hopListScrollTop({ ...base, scrollTop: 150, target: { top: 158, bottom: 178 } })).toBe(75)
  })
})
