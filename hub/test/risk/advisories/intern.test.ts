/**
 * The index keeps one copy of each repeated short string of its advisories (issue 15, `intern.ts`):
 * compacting changes no value — the real OSV and CSAF records of testdata/ and generated ones come out
 * deep-equal — and a second copy of the same records adds nothing to the pool.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { AdvisoryIndex } from '../../../src/risk/advisories/advisory-index.ts'
import { importAdvisories } from '../../../src/risk/advisories/import.ts'
import { StringPool } from '../../../src/risk/advisories/intern.ts'
import type { Advisory, PackageAffect } from '../../../src/risk/advisories/types.ts'
import { createVendorMatcher } from '../../../src/risk/advisories/vendor.ts'
import { cisaFiles, OSV } from './data.ts'

describe('StringPool.compactAdvisory', () => {
  let real: Advisory[] = []
  beforeAll(async () => {
    const s = await importAdvisories([OSV, ...cisaFiles().slice(0, 20)])
    if (s.index === null) throw new Error('no index')
    real = [...s.index.all()].map((a) => structuredClone(a))
  }, 120_000)

  it('leaves every real advisory deep-equal, OSV and CSAF', () => {
    expect(real.some((a) => a.products.length > 0)).toBe(true)
    expect(real.some((a) => a.packages.length > 0)).toBe(true)
    const pool = new StringPool()
    for (const a of real) {
      const before = structuredClone(a)
      expect(pool.compactAdvisory(a)).toBe(a)
      expect(a).toEqual(before)
    }
  })

  it('a second copy of the same advisories adds no string to the pool', () => {
    const pool = new StringPool()
    for (const a of real) pool.compactAdvisory(structuredClone(a))
    const size = pool.size
    expect(size).toBeGreaterThan(0)
    for (const a of real) pool.compactAdvisory(structuredClone(a))
    expect(pool.size).toBe(size)
  })

  it('generated advisories (short and long strings): values unchanged', () => {
    const text = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ minLength: 129, maxLength: 200 }))
    const event = fc.oneof(
      text.map((introduced) => ({ introduced })),
      text.map((fixed) => ({ fixed })),
      text.map((last_affected) => ({ last_affected })),
      text.map((limit) => ({ limit })),
    )
    const affect = fc.record({
      ecosystem: text,
      purlType: text,
      release: fc.option(text),
      name: text,
      scheme: fc.constantFrom('deb', 'apk', 'semver', 'generic'),
      schemeExact: fc.boolean(),
      ranges: fc.array(
        fc.record({ type: fc.constantFrom('ECOSYSTEM', 'SEMVER', 'GIT'), events: fc.array(event) }),
        { maxLength: 3 },
      ),
      versions: fc.array(text, { maxLength: 4 }),
      affected: text,
      fixed: fc.option(text),
    }) as fc.Arbitrary<PackageAffect>
    const advisory = fc.record({
      id: text,
      source: fc.constant('osv' as const),
      revision: text,
      title: text,
      aliases: fc.array(text, { maxLength: 3 }),
      cves: fc.array(text, { maxLength: 3 }),
      withdrawn: fc.boolean(),
      severity: fc.constantFrom(null, 'low', 'medium', 'high', 'critical'),
      score: fc.constant(null),
      packages: fc.array(affect, { maxLength: 3 }),
      products: fc.constant([]),
      vulnerabilities: fc.constant([]),
      origin: text,
    }) as fc.Arbitrary<Advisory>
    fc.assert(
      fc.property(fc.array(advisory, { maxLength: 5 }), (list) => {
        const pool = new StringPool()
        for (const a of list) {
          const before = structuredClone(a)
          pool.compactAdvisory(a)
          expect(a).toEqual(before)
        }
      }),
    )
  })

  it('pools strings up to 128 characters, not longer ones', () => {
    const pool = new StringPool()
    pool.intern('x'.repeat(129))
    expect(pool.size).toBe(0)
    pool.intern('x'.repeat(128))
    pool.intern('x'.repeat(128))
    expect(pool.size).toBe(1)
  })

  it('the index holds each advisory with the same values it was given', () => {
    const index = new AdvisoryIndex(createVendorMatcher())
    for (const a of real) {
      const before = structuredClone(a)
      index.upsert(structuredClone(a))
      expect(index.get(a.id)).toEqual(before)
    }
  })
})
