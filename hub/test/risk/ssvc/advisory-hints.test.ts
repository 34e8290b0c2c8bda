/** Issue 17: normalised advisories keep what SSVC reads — CVSS vectors per vulnerability and exploit statements. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createVendorMatcher } from '../../../src/risk/advisories/index.ts'
import { normalizeCsaf } from '../../../src/risk/advisories/normalize/csaf.ts'

const CISA = join(new URL('../../../../testdata/csaf-cisa', import.meta.url).pathname)

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  )
}

describe('CSAF vulnerabilities keep their CVSS vectors', () => {
  it('every scored vulnerability of the real CISA files carries the vectors it was scored with', () => {
    const vendors = createVendorMatcher()
    let scored = 0
    for (const file of files(CISA).slice(0, 60)) {
      const doc = JSON.parse(readFileSync(file, 'utf8'))
      const parsed = normalizeCsaf(doc, file, vendors)
      if (!parsed.ok) continue
      for (const [i, v] of parsed.advisory.vulnerabilities.entries()) {
        const raw = doc.vulnerabilities[i]
        const expected = (raw.scores ?? []).flatMap(
          (s: { cvss_v3?: { vectorString?: string }; cvss_v2?: { vectorString?: string } }) =>
            [s.cvss_v3?.vectorString, s.cvss_v2?.vectorString].filter(Boolean),
        )
        expect(v.vectors).toEqual(expected)
        if (expected.length > 0) scored++
      }
    }
    expect(scored).toBeGreaterThan(20)
  })
})
