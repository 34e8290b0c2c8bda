/** Colours and tables for the technician's terminal (plain text when not a TTY or NO_COLOR). */
const CODES = { red: 31, green: 32, yellow: 33, blue: 34, gray: 90, bold: 1 } as const
export type Colour = keyof typeof CODES

export function paint(on: boolean) {
  return (c: Colour, s: string) => (on ? `\u001b[${CODES[c]}m${s}\u001b[0m` : s)
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes
const ANSI = /\u001b\[[0-9;]*m/g
const width = (s: string) => s.replace(ANSI, '').length

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(c))))
      .join('  ')
      .trimEnd()
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

export function keyValues(pairs: [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length))
  return pairs.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')
}

export function ago(iso: string | null, now: Date): string {
  if (!iso) return 'never'
  const s = Math.round((now.getTime() - new Date(iso).getTime()) / 1000)
  if (s < 60) return `${iso} (${s} s ago)`
  if (s < 3600) return `${iso} (${Math.round(s / 60)} min ago)`
  if (s < 86400) return `${iso} (${Math.round(s / 3600)} h ago)`
  return `${iso} (${Math.round(s / 86400)} d ago)`
}
