/**
 * The hub's one CSV writer (the audit log and the risk register exports): RFC 4180 fields, CRLF lines,
 * and never a spreadsheet formula (a cell starting with = + - @ tab or CR gets a leading quote: CSV
 * injection).
 */

/** A column: its header and how to read the cell from a row (null and undefined write an empty cell). */
export type CsvColumn<T> = readonly [header: string, cell: (row: T) => unknown]

export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: Iterable<T>): string {
  const lines = [columns.map(([header]) => csvCell(header)).join(',')]
  for (const row of rows) lines.push(columns.map(([, cell]) => csvCell(cell(row))).join(','))
  return `${lines.join('\r\n')}\r\n`
}
