/**
 * The index passes over affects whose ranges closed below the installed version (issue 15): what
 * `packageMatchCandidates` leaves out must be exactly what `matchPackage` would answer null for, on
 * the real OSV records of testdata/ and on generated ranges (invalid versions, `last_affected`,
 * `limit`, listed versions, withdrawn records, several schemes).
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { AdvisoryIndex } from '../../../src/risk/advisories/advisory-index.ts'
import { importAdvisories } from '../../../src/risk/advisories/import.ts'
import { matchPackage } from '../../../src/risk/advisories/match-package.ts'
import type { MatchPackage } from '../../../src/risk/advisories/target.ts'
import type { Advisory, OsvEvents, PackageAffect } from '../../../src/risk/advisories/types.ts'
import { createVendorMatcher } from '../../../src/risk/advisories/vendor.ts'
import { OSV } from './data.ts'

/** Every finding-producing verdict for `p`, from every affect under its keys (no skipping). */
function evaluatedAll(index: AdvisoryIndex, p: MatchPackage) {
  return index
    .packageCandidates(p)
    .map((c) => ({ id: c.advisory.id, affect: c.affect, verdict: matchPackage(c.advisory, c.affect, p) }))
    .filter((x) => x.verdict !== null)
}

function evaluatedSkipping(index: AdvisoryIndex, p: MatchPackage) {
  return index
    .packageMatchCandidates(p)
    .map((c) => ({ id: c.advisory.id, affect: c.affect, verdict: matchPackage(c.advisory, c.affect, p) }))
    .filter((x) => x.verdict !== null)
}

const probe = (a: PackageAffect, version: string): MatchPackage => ({
  name: a.name,
  version,
  purlType: a.purlType,
  release: a.release,
  purl: null,
})

/** Versions around a range's own events: each, just below and just above, and unreadable ones. */
function versionsAround(a: PackageAffect): string[] {
  const out = new Set<string>(['0', '0.0.0.1', '99:99', 'not a version', ...a.versions.slice(0, 3)])
  for (const r of a.ranges)
    for (const e of r.events) {
      const v = Object.values(e)[0] as string
      for (const x of [v, `${v}~0`, `${v}+z`, `${v}.1`, `${v}a`]) out.add(x)
    }
  return [...out]
}

describe('package slots on the real OSV records', () => {
  let index: AdvisoryIndex
  beforeAll(async () => {
    const s = await importAdvisories([OSV])
    if (s.index === null) throw new Error('no index')
    index = s.index
  }, 120_000)

  it('leaves out only affects that cannot match, for every affect and the versions around its events', () => {
    let probes = 0
    let skipped = 0
    const seen = new Set<string>()
    for (const a of index.all()) {
      for (const affect of a.packages) {
        for (const v of versionsAround(affect)) {
          const key = `${affect.purlType}|${affect.release}|${affect.name}|${v}`
          if (seen.has(key)) continue
          seen.add(key)
          const p = probe(affect, v)
          expect(evaluatedSkipping(index, p)).toEqual(evaluatedAll(index, p))
          probes++
          skipped += index.packageCandidates(p).length - index.packageMatchCandidates(p).length
        }
      }
    }
    expect(probes).toBeGreaterThan(1_000)
    // The point of it: affects are passed over (on average more than one for every two probes).
    expect(skipped).toBeGreaterThan(probes / 2)
  }, 300_000)

  it('finds nothing to evaluate for a current version when every advisory of the package is fixed', () => {
    const p: MatchPackage = { name: 'libxml2', version: '99.0-1', purlType: 'deb', release: '9', purl: null }
    expect(index.packageCandidates(p).length).toBeGreaterThan(0)
    expect(evaluatedAll(index, p)).toEqual([])
    expect(index.packageMatchCandidates(p)).toEqual([])
  })
})

const DEB = [
  '0',
  '1.0',
  '1.0-1',
  '1.0~rc1',
  '1:0.9',
  '2.0',
  '2.0+deb9u1',
  '2.0-1',
  '10',
  'b',
  'bad version',
  '1:',
]
const APK = ['0', '1.0', '1.0-r1', '1.0_rc1', '1.2.3-r0', '2.0', '2.0a', '1.0-r1x', 'bad version', '']
const SEMVER = ['0', '1.0.0', '1.0.0-rc.1', '1.2.3', '2.0.0', '2.0.0+build', 'v1', 'bad version', '1.0']
const POOLS = { deb: DEB, apk: APK, semver: SEMVER, generic: [...DEB, ...SEMVER] } as const
type Scheme = keyof typeof POOLS

const event = (pool: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...pool).map((v) => ({ introduced: v })),
    fc.constant({ introduced: '0' }),
    fc.constantFrom(...pool).map((v) => ({ fixed: v })),
    fc.constantFrom(...pool).map((v) => ({ last_affected: v })),
    fc.constantFrom(...pool).map((v) => ({ limit: v })),
  )

const affectOf = (scheme: Scheme, name: string) =>
  fc
    .record({
      ranges: fc.array(
        fc.record({
          type: fc.constantFrom('ECOSYSTEM' as const, 'SEMVER' as const, 'GIT' as const),
          events: fc.array(event(POOLS[scheme]), { maxLength: 5 }),
        }),
        { maxLength: 3 },
      ),
      versions: fc.array(fc.constantFrom(...POOLS[scheme]), { maxLength: 3 }),
    })
    .map(
      ({ ranges, versions }): PackageAffect => ({
        ecosystem: 'Test',
        purlType: 'deb',
        release: null,
        name,
        scheme,
        schemeExact: true,
        ranges: ranges as OsvEvents[],
        versions,
        affected: 'generated',
        fixed: null,
      }),
    )

describe('package slots on generated ranges', () => {
  it('answer exactly what evaluating every affect answers', () => {
    const scheme = fc.constantFrom<Scheme>('deb', 'apk', 'semver', 'generic')
    fc.assert(
      fc.property(
        scheme.chain((s) =>
          fc.record({
            scheme: fc.constant(s),
            advisories: fc.array(
              fc.record({
                affects: fc.array(affectOf(s, 'pkg'), { minLength: 1, maxLength: 2 }),
                withdrawn: fc.boolean(),
              }),
              { minLength: 1, maxLength: 12 },
            ),
            removed: fc.nat(12),
          }),
        ),
        ({ scheme: s, advisories, removed }) => {
          const index = new AdvisoryIndex(createVendorMatcher())
          advisories.forEach(({ affects, withdrawn }, i) => {
            index.upsert({
              id: `A-${i}`,
              source: 'osv',
              revision: '2024-01-01T00:00:00Z',
              packages: affects,
              products: [],
              cves: [],
              withdrawn,
            } as unknown as Advisory)
          })
          index.remove(`A-${removed}`)
          for (const v of POOLS[s]) {
            const p: MatchPackage = { name: 'pkg', version: v, purlType: 'deb', release: null, purl: null }
            expect(evaluatedSkipping(index, p)).toEqual(evaluatedAll(index, p))
          }
        },
      ),
      { numRuns: 400 },
    )
  })
})

describe("package slots keep each version's candidates between changes", () => {
  it('answer what evaluating every affect answers, with queries between upserts, revisions and removals', () => {
    const scheme = fc.constantFrom<Scheme>('deb', 'apk', 'semver', 'generic')
    const step = (s: Scheme) =>
      fc.oneof(
        fc.record({
          op: fc.constant('upsert' as const),
          id: fc.nat(5),
          affects: fc.array(affectOf(s, 'pkg'), { minLength: 1, maxLength: 2 }),
          withdrawn: fc.boolean(),
        }),
        fc.record({ op: fc.constant('remove' as const), id: fc.nat(5) }),
        // Queries weigh more: the same version is asked again after a change and without one.
        fc.record({ op: fc.constant('query' as const), version: fc.constantFrom(...POOLS[s]) }),
        fc.record({ op: fc.constant('query' as const), version: fc.constantFrom(...POOLS[s]) }),
      )
    fc.assert(
      fc.property(
        scheme.chain((s) =>
          fc.record({ scheme: fc.constant(s), steps: fc.array(step(s), { maxLength: 30 }) }),
        ),
        ({ steps }) => {
          const index = new AdvisoryIndex(createVendorMatcher())
          let revision = 0
          for (const st of steps) {
            if (st.op === 'upsert')
              index.upsert({
                id: `A-${st.id}`,
                source: 'osv',
                // Every upsert is a newer revision, so it replaces what the id held.
                revision: `2024-01-01T00:00:${String(revision++).padStart(2, '0')}Z`,
                packages: st.affects,
                products: [],
                cves: [],
                withdrawn: st.withdrawn,
              } as unknown as Advisory)
            else if (st.op === 'remove') index.remove(`A-${st.id}`)
            else {
              const p: MatchPackage = {
                name: 'pkg',
                version: st.version,
                purlType: 'deb',
                release: null,
                purl: null,
              }
              expect(evaluatedSkipping(index, p)).toEqual(evaluatedAll(index, p))
            }
          }
        },
      ),
      { numRuns: 400 },
    )
  })
})
