/** The manifests section of `vigil-agent status`: one row per manifest with its verification result. */
import type { ManifestSummary } from './manager.js'

export const MANIFEST_COLUMNS = ['manifest', 'product', 'version', 'state', 'verification', 'when']

export function manifestRows(s: ManifestSummary): string[][] {
  const rows: string[][] = []
  for (const m of [...s.pending, ...s.installed, ...s.failed]) {
    const detail = m.code || m.reason ? ` — ${[m.code, m.reason].filter(Boolean).join(': ')}` : ''
    rows.push([
      m.id.slice(0, 12),
      m.product,
      m.version,
      `${m.state}${detail}`.slice(0, 100),
      m.verification.slice(0, 60),
      m.updatedAt,
    ])
  }
  for (const r of s.refused)
    rows.push([r.manifestId.slice(0, 12), '-', '-', 'rejected', `${r.code}: ${r.reason}`.slice(0, 100), r.at])
  return rows
}

export function trustLine(s: ManifestSummary): string {
  if (s.trusted.length === 0) return 'no vendor keys trusted (manifests are refused)'
  return s.trusted
    .map((t) => `${t.vendor} (${t.keys} key(s), threshold ${t.threshold}, rotation ${t.sequence})`)
    .join('; ')
}
