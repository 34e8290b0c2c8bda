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
