/**
 * Accuracy of CSAF device matching on the hand-labelled corpus (`hub/testdata/matching-corpus.json`,
 * issue 17 point 6): each case is one device × one real CISA advisory with the outcome a reader of the
 * product tree expects. The matcher's outcome is the strongest tier among the device's findings for
 * that advisory, or `none`. Thresholds: exact-tier recall 100 %, prose versions flagged (any finding)
 * ≥ 95 %, no finding at all on a fixed version.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { AdvisoryIndex } from './advisory-index.js'
import { correlate } from './correlate.js'
import { normalizeCsaf } from './normalize/csaf.js'
import type { Advisory, MatchTier } from './types.js'
import { createVendorMatcher } from './vendor.js'

export type Outcome = MatchTier | 'none'

export interface CorpusCase {
  id: string
  advisory: string
  file: string
  device: { vendor: string; model: string; firmware: string; cpe?: string; purl?: string }
  expected: Outcome
  form: string
  productId: string
  path: string[]
  note?: string
}

export interface TierFigures {
  expected: number
  matched: number
  correct: number
  precision: number
  recall: number
}

export interface AccuracyReport {
  cases: number
  tiers: Record<Outcome, TierFigures>
  /** Cases whose version is prose (readable or not): share with any finding. */
  freeTextFlagged: { total: number; flagged: number; rate: number }
  /** Cases on a fixed version: how many got a finding (must be 0). */
  fixedWithFindings: string[]
  misses: { id: string; expected: Outcome; actual: Outcome; reason: string }[]
  failures: string[]
}

const TIERS: Outcome[] = ['exact', 'alias', 'review', 'none']
const RANK: Record<Outcome, number> = { exact: 3, alias: 2, review: 1, none: 0 }
const FREE_TEXT = new Set(['free-text', 'unreadable'])

export function evaluate(cases: CorpusCase[], advisoryDir: string): AccuracyReport {
  const vendors = createVendorMatcher()
  const advisories = new Map<string, Advisory>()
  const load = (file: string): Advisory => {
    const held = advisories.get(file)
    if (held) return held
    const r = normalizeCsaf(JSON.parse(readFileSync(join(advisoryDir, file), 'utf8')), file, vendors)
    if (!r.ok) throw new Error(`${file}: ${r.reason}`)
    advisories.set(file, r.advisory)
    return r.advisory
  }
  const actual = new Map<string, { outcome: Outcome; reason: string }>()
  for (const c of cases) {
    const index = new AdvisoryIndex(vendors)
    index.upsert(load(c.file))
    const d = c.device
    const findings = correlate(
      {
        devices: [
          {
            vendor: d.vendor,
            model: d.model,
            firmware: d.firmware,
            purl: d.purl ?? null,
            cpe: d.cpe ?? null,
          },
        ],
        packages: [],
      },
      index,
    )
    let best: { outcome: Outcome; reason: string } = { outcome: 'none', reason: 'no finding' }
    for (const f of findings) {
      const o: Outcome = f.why.tier ?? 'review'
      if (RANK[o] > RANK[best.outcome])
        best = { outcome: o, reason: `${f.why.identified ?? ''}: ${f.why.reason}` }
    }
    actual.set(c.id, best)
  }
  const tiers = {} as Record<Outcome, TierFigures>
  for (const t of TIERS) {
    const expected = cases.filter((c) => c.expected === t).length
    const matched = cases.filter((c) => actual.get(c.id)?.outcome === t).length
    const correct = cases.filter((c) => c.expected === t && actual.get(c.id)?.outcome === t).length
    tiers[t] = {
      expected,
      matched,
      correct,
      precision: matched === 0 ? 1 : correct / matched,
      recall: expected === 0 ? 1 : correct / expected,
    }
  }
  const free = cases.filter((c) => FREE_TEXT.has(c.form))
  const flagged = free.filter((c) => actual.get(c.id)?.outcome !== 'none').length
  const fixedWithFindings = cases
    .filter((c) => c.form === 'fixed' && actual.get(c.id)?.outcome !== 'none')
    .map((c) => c.id)
  const misses = cases
    .filter((c) => actual.get(c.id)?.outcome !== c.expected)
    .map((c) => ({
      id: c.id,
      expected: c.expected,
      actual: actual.get(c.id)?.outcome ?? 'none',
      reason: actual.get(c.id)?.reason ?? '',
    }))
  const failures: string[] = []
  if (cases.length < 150) failures.push(`only ${cases.length} cases (at least 150)`)
  if (tiers.exact.recall < 1) failures.push(`exact-tier recall ${pct(tiers.exact.recall)} < 100 %`)
  const rate = free.length === 0 ? 1 : flagged / free.length
  if (rate < 0.95) failures.push(`prose versions flagged ${pct(rate)} < 95 %`)
  if (fixedWithFindings.length > 0)
    failures.push(`${fixedWithFindings.length} finding(s) on fixed versions: ${fixedWithFindings.join(', ')}`)
  return {
    cases: cases.length,
    tiers,
    freeTextFlagged: { total: free.length, flagged, rate },
    fixedWithFindings,
    misses,
    failures,
  }
}

export const pct = (x: number): string => `${(x * 100).toFixed(1)} %`

export function reportText(r: AccuracyReport): string {
  const lines = [`CSAF device matching accuracy: ${r.cases} labelled cases`]
  lines.push('tier     expected  matched  correct  precision  recall')
  for (const t of TIERS) {
    const f = r.tiers[t]
    lines.push(
      `${t.padEnd(8)} ${String(f.expected).padStart(8)} ${String(f.matched).padStart(8)} ${String(f.correct).padStart(8)} ${pct(f.precision).padStart(10)} ${pct(f.recall).padStart(8)}`,
    )
  }
  lines.push(
    `prose versions flagged (at least review): ${r.freeTextFlagged.flagged}/${r.freeTextFlagged.total} = ${pct(r.freeTextFlagged.rate)}`,
  )
  lines.push(`findings on fixed versions: ${r.fixedWithFindings.length}`)
  if (r.misses.length > 0) {
    lines.push(`cases where the matcher differs from the label (${r.misses.length}):`)
    for (const m of r.misses) lines.push(`  ${m.id}: expected ${m.expected}, got ${m.actual} (${m.reason})`)
  }
  lines.push(r.failures.length === 0 ? 'thresholds: PASS' : `thresholds: FAIL\n  ${r.failures.join('\n  ')}`)
  return lines.join('\n')
}
