import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { type CorpusCase, evaluate, reportText } from '../../../src/risk/advisories/accuracy.ts'
import { CISA } from './data.ts'

const corpus = fileURLToPath(new URL('../../../testdata/matching-corpus.json', import.meta.url))
const { cases } = JSON.parse(readFileSync(corpus, 'utf8')) as { cases: CorpusCase[] }

describe('CSAF device matching on the labelled corpus (issue 17 point 6)', () => {
  it('holds at least 150 hand-labelled cases covering every form, each with its product-tree path', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150)
    const forms = new Set(cases.map((c) => c.form))
    for (const f of [
      'name',
      'model-number',
      'multi-model',
      'vendor-prefix',
      'abbreviation',
      'free-text',
      'unreadable',
      'fixed',
      'other-model',
      'other-vendor',
    ])
      expect(forms, f).toContain(f)
    for (const c of cases) expect(c.path.length, c.id).toBeGreaterThan(1)
  })

  it('meets the thresholds: exact recall 100 %, prose versions flagged ≥ 95 %, nothing on fixed versions', () => {
    const r = evaluate(cases, CISA)
    expect(r.failures, reportText(r)).toEqual([])
    expect(r.tiers.exact.recall).toBe(1)
    expect(r.freeTextFlagged.rate).toBeGreaterThanOrEqual(0.95)
    expect(r.fixedWithFindings).toEqual([])
  })

  it('fails the thresholds when a fixed-version case is mislabelled as affected', () => {
    // A corpus whose fixed case is flipped to "exact" must be reported, so the check can fail.
    const flipped = cases.map((c) => (c.form === 'fixed' ? { ...c, expected: 'exact' as const } : c))
    expect(evaluate(flipped, CISA).failures.join('\n')).toMatch(/exact-tier recall/)
  })
})
