/**
 * Windowing arithmetic for fixed-height rows: which slice of the rows is visible in a viewport, plus a
 * little overscan so fast scrolling does not flash empty space. Pure, so it is tested on its own.
 */
export interface WindowRange {
  /** First row index rendered (inclusive). */
  start: number
  /** Last row index rendered (exclusive). */
  end: number
  /** Offset of the first rendered row from the top of the scroll content, in px. */
  offset: number
  /** Height of the whole scroll content, in px. */
  total: number
}

export interface WindowInput {
  count: number
  rowHeight: number
  scrollTop: number
  viewportHeight: number
  overscan: number
}

export function visibleWindow(i: WindowInput): WindowRange {
  const total = i.count * i.rowHeight
  if (i.count === 0 || i.rowHeight <= 0) return { start: 0, end: 0, offset: 0, total }
  const maxTop = Math.max(0, total - i.viewportHeight)
  const top = Math.min(Math.max(0, i.scrollTop), maxTop)
  const first = Math.floor(top / i.rowHeight)
  const visible = Math.ceil(i.viewportHeight / i.rowHeight) + 1
  const start = Math.max(0, first - i.overscan)
  const end = Math.min(i.count, first + visible + i.overscan)
  return { start, end, offset: start * i.rowHeight, total }
}

/** The scrollTop that brings row `index` fully into view, or null when it already is. */
export function scrollToReveal(
  index: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
): number | null {
  const top = index * rowHeight
  const bottom = top + rowHeight
  if (top < scrollTop) return top
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight
  return null
}
