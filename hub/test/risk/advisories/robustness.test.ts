/** Bad input never throws: every reader answers ok or a reason, for arbitrary and mutated real input. */
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normalizeCsaf } from '../../../src/risk/advisories/normalize/csaf.ts'
import { normalizeKev } from '../../../src/risk/advisories/normalize/kev.ts'
import { normalizeOsv } from '../../../src/risk/advisories/normalize/osv.ts'
import { parseSbom } from '../../../src/risk/advisories/sbom.ts'
import { createVendorMatcher } from '../../../src/risk/advisories/vendor.ts'
import { CISA, OSV, readJson } from './data.ts'

const vendors = createVendorMatcher()
const readers: [string, (doc: unknown) => { ok: boolean }][] = [
  ['csaf', (d) => normalizeCsaf(d, 'x', vendors)],
  ['osv', (d) => normalizeOsv(d, 'x')],
  ['kev', (d) => normalizeKev(d)],
  ['sbom', (d) => parseSbom(d)],
]

/** Replaces the value at a random path of a JSON document. */
function mutate(doc: unknown, path: number[], value: unknown): unknown {
  const copy = structuredClone(doc)
  let node: unknown = copy
  for (const [i, step] of path.entries()) {
    if (node === null || typeof node !== 'object') break
    const keys = Object.keys(node)
    if (keys.length === 0) break
    const key = keys[step % keys.length] as string
    if (i === path.length - 1) (node as Record<string, unknown>)[key] = value
    else node = (node as Record<string, unknown>)[key]
  }
  return copy
}

describe('readers never throw', () => {
  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        for (const [, read] of readers) expect(typeof read(v).ok).toBe('boolean')
      }),
      { numRuns: 300 },
    )
  })

  it('on real CSAF and OSV documents with one value replaced anywhere', () => {
    const docs = [
      readJson(join(CISA, '2023/icsma-23-194-01.json')),
      readJson(join(CISA, '2020/icsma-20-170-01.json')),
      readJson(
        join(
          OSV,
          'google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs/Debian/DLA-3012-1.json',
        ),
      ),
    ]
    fc.assert(
      fc.property(
        fc.constantFrom(...docs),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.jsonValue(),
        (doc, path, value) => {
          const bad = mutate(doc, path, value)
          for (const [, read] of readers) expect(typeof read(bad).ok).toBe('boolean')
        },
      ),
      { numRuns: 300 },
    )
  })
})
