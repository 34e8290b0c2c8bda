/** Output of the scanner and the import summary: JSON per SPEC, or a plain table for people. */
import type { ImportSummary } from './import.js'
import type { Finding } from './types.js'

const RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1, none: 0 }

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      Number(b.kev) - Number(a.kev) ||
      (RANK[b.severity ?? ''] ?? -1) - (RANK[a.severity ?? ''] ?? -1) ||
      a.advisory.localeCompare(b.advisory) ||
      (a.cve ?? '').localeCompare(b.cve ?? ''),
  )
}

/** `{"findings":[…]}` with the SPEC fields first; `epss`, `kevDueDate` and `why` are additions. */
export function findingsJson(findings: Finding[]): string {
  return JSON.stringify({
    findings: sortFindings(findings).map((f) => ({
      advisory: f.advisory,
      cve: f.cve,
      component: f.component,
      affected: f.affected,
      fixed: f.fixed,
      severity: f.severity,
      kev: f.kev,
      confidence: f.confidence,
      ...(f.kevDueDate !== undefined ? { kevDueDate: f.kevDueDate } : {}),
      ...(f.epss !== undefined ? { epss: f.epss } : {}),
      why: f.why,
    })),
  })
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

export function findingsTable(findings: Finding[]): string {
  if (findings.length === 0) return 'No findings.'
  const rows = [
    ['SEVERITY', 'KEV', 'ADVISORY', 'CVE', 'COMPONENT', 'VERSION', 'AFFECTED', 'FIXED', 'CONFIDENCE'],
  ]
  for (const f of sortFindings(findings)) {
    rows.push([
      f.severity ?? 'unknown',
      f.kev ? 'yes' : '',
      f.advisory,
      f.cve ?? '',
      clip(f.component.name, 40),
      clip(f.component.version, 24),
      clip(f.affected, 40),
      f.fixed ?? '',
      f.confidence,
    ])
  }
  const n = findings.length
  return `${table(rows)}\n\n${n} finding${n === 1 ? '' : 's'}`
}

export function importSummaryText(s: ImportSummary): string {
  const lines = [
    `files: ${s.files}`,
    `imported: ${s.imported.length}`,
    `updated: ${s.updated.length}`,
    `skipped: ${s.skipped.length}`,
    `rejected: ${s.rejected.length}`,
  ]
  if (s.kevVersion !== null) lines.push(`KEV catalog ${s.kevVersion}: ${s.kev.size} CVEs`)
  if (s.epss.size > 0) lines.push(`EPSS scores: ${s.epss.size}`)
  for (const r of s.rejected) lines.push(`  rejected ${r.file}: ${r.reason}`)
  for (const r of s.skipped) lines.push(`  skipped ${r.file}: ${r.reason}`)
  return lines.join('\n')
}
