/** The table `pnpm bench` prints: one line per figure, with its target and verdict. */

const fmt = (v: unknown): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : JSON.stringify(v)

export function printTable(results: Record<string, unknown>): void {
  const rows: [string, string, string, string][] = [['section', 'figure', 'value', 'target']]
  for (const [name, value] of Object.entries(results)) {
    if (typeof value !== 'object' || value === null || name === 'machine') continue
    const s = value as Record<string, unknown>
    if ('skipped' in s) {
      rows.push([name, 'skipped', String(s.skipped), ''])
      continue
    }
    if ('error' in s) {
      rows.push([name, 'ERROR', String(s.error), ''])
      continue
    }
    const targets = (s.targets ?? {}) as Record<string, string>
    const pass = (s.pass ?? {}) as Record<string, boolean | null>
    for (const [k, v] of Object.entries(s)) {
      if (k === 'targets' || k === 'pass' || typeof v === 'object') continue
      const t = targets[k]
        ? `${targets[k]} ${pass[k] === true ? 'PASS' : pass[k] === false ? 'MISS' : '—'}`
        : ''
      rows.push([name, k, fmt(v), t])
    }
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)))
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
  process.stdout.write(`\n${line(rows[0] ?? [])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`)
  for (const r of rows.slice(1)) process.stdout.write(`${line(r)}\n`)
}
