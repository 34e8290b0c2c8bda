/** Column description for `VirtualTable`. */
export interface Column<Row> {
  key: string
  label: string
  /** CSS grid track, e.g. `minmax(12rem, 2fr)` or `7rem`. */
  width: string
  sortable?: boolean
  align?: 'start' | 'end'
  /** Plain-text value of the cell (default: the row's property named `key`). */
  text?: (row: Row) => string
}

export type SortDirection = 'asc' | 'desc'

/** Space between cells and at both ends of a row (rem); VirtualTable's CSS uses the same values. */
export const COLUMN_GAP_REM = 0.5
export const ROW_PADDING_REM = 0.75

/**
 * The narrowest a row can be: each track's minimum (`7rem`, or the first argument of `minmax(9rem, 1fr)`),
 * the gaps between them and the row's padding. Below it the table scrolls sideways inside its own box
 * instead of widening the page.
 */
export function minRowWidthRem(columns: readonly Pick<Column<unknown>, 'width'>[]): number {
  let sum = 0
  for (const c of columns) {
    const m = /^(?:minmax\(\s*)?(\d+(?:\.\d+)?)rem/.exec(c.width.trim())
    sum += m ? Number(m[1]) : 0
  }
  const gaps = Math.max(0, columns.length - 1) * COLUMN_GAP_REM
  return sum + gaps + 2 * ROW_PADDING_REM
}
