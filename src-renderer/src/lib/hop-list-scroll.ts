/** A line of the hop list, in the list's content coordinates (0 is the top of its content). */
export interface Span {
  top: number
  bottom: number
}

/**
 * Where the hop list scrolls to follow the current hop: the least move that shows the hop whole
 * below what sticks to the top of the list (the segment's heading, then the current row's line),
 * then nudged so that no line is cut in half by the lower edge of what sticks.
 */
export function hopListScrollTop(list: {
  scrollTop: number
  viewHeight: number
  /** The current hop's line, or the current row when it shows no hops. */
  target: Span
  /** The current segment's heading, stuck to the top of the list (0 without one). */
  headHeight: number
  /** The current row, whose own line sticks under the heading once the list scrolls past it. */
  row: Span & { lineHeight: number }
  /** Every other line that can scroll under what sticks. */
  lines: readonly Span[]
}): number {
  const { viewHeight, target, headHeight, row, lines } = list
  const covered = headHeight + (target.top >= row.top + row.lineHeight ? row.lineHeight : 0)
  const lowest = target.bottom - viewHeight
  const highest = target.top - covered
  const top = lowest > highest ? lowest : Math.max(lowest, Math.min(highest, list.scrollTop))
  // The row's line sticks under the heading only once the list has scrolled past where it sits.
  const edge = top + headHeight + (top + headHeight > row.top ? row.lineHeight : 0)
  const cut = lines.find((line) => line.top < edge - 0.5 && line.bottom > edge + 0.5)
  if (!cut) return top
  const hidden = top + cut.bottom - edge
  if (hidden <= highest) return hidden
  const shown = top - (edge - cut.top)
  return shown >= lowest ? shown : top
}
