import { readdirSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareVersions } from '../../src/versions/compare.ts'
import type { VersionScheme } from '../../src/versions/types.ts'
import { debClosePair, debVersion, rpmClosePair, rpmVersion } from './arbitraries.ts'
import { dpkgCompareMany, hasCommand, type OracleAnswer, rpmCompareMany } from './oracles.ts'
import { VERSIONS_DATA } from './vectors.ts'

const PAIRS = 4000
const SEED = 20261128

function ours(scheme: VersionScheme, a: string, b: string): OracleAnswer {
  try {
    return compareVersions(scheme, a, b)
  } catch {
    return 'error'
  }
}

/** Pairs of generated versions: independent ones, close ones, and a version against a tweak of itself. */
function samplePairs(
  arb: fc.Arbitrary<string>,
  close: fc.Arbitrary<[string, string]>,
  seed: number,
): [string, string][] {
  const pairArb = fc.oneof(
    { weight: 1, arbitrary: fc.tuple(arb, arb) },
    { weight: 4, arbitrary: close },
    arb.chain((a) =>
      fc.constantFrom<[string, string]>(
        [a, `${a}~`],
        [a, `${a}0`],
        [a, `${a}.0`],
        [a, `${a}a`],
        [a, a],
        [a, `${a}+`],
      ),
    ),
  )
  return fc.sample(pairArb, { numRuns: PAIRS, seed })
}

function mismatches(pairs: [string, string][], oracle: OracleAnswer[], scheme: VersionScheme): string[] {
  return pairs.flatMap(([a, b], i) => {
    const got = ours(scheme, a, b)
    return got === oracle[i]
      ? []
      : [`${JSON.stringify(a)} vs ${JSON.stringify(b)}: tool ${oracle[i]}, ours ${got}`]
  })
}

const dpkgReason = hasCommand('dpkg') ? '' : ' — SKIPPED: dpkg is not installed (not a Debian machine)'
describe.skipIf(dpkgReason !== '')(`deb agrees with dpkg --compare-versions${dpkgReason}`, () => {
  it(`on ${PAIRS} generated pairs (fast-check seed ${SEED})`, async () => {
    const pairs = samplePairs(debVersion, debClosePair, SEED)
    const oracle = await dpkgCompareMany(pairs)
    expect(mismatches(pairs, oracle, 'deb')).toEqual([])
    // The generator must exercise every outcome, or the test proves little.
    expect(new Set(oracle)).toEqual(new Set([-1, 0, 1]))
  })

  it("on osv.dev's dpkg fuzz seeds and dpkg's error cases", async () => {
    const dir = `${VERSIONS_DATA}google__osv.dev/go/osv/ecosystem/testdata/fuzz/FuzzDpkgMonotonicity/`
    const pairs: [string, string][] = readdirSync(dir).map((f) => {
      const values = [...readFileSync(dir + f, 'utf8').matchAll(/string\("((?:[^"\\]|\\.)*)"\)/g)].map((m) =>
        JSON.parse(`"${m[1]}"`),
      )
      return [values[0], values[1]]
    })
    expect(pairs).toHaveLength(3)
    pairs.push(['1:', '1'], ['a:1', '1'], ['1-', '1'], ['1 2', '1'], ['0:1.0-1', ' 1.0-1 '], ['1.0', '1:'])
    const oracle = await dpkgCompareMany(pairs, 1)
    expect(mismatches(pairs, oracle, 'deb')).toEqual([])
  })
})

const rpmReason = hasCommand('rpm') ? '' : ' — SKIPPED: rpm is not installed (apt-get install -y rpm)'
describe.skipIf(rpmReason !== '')(`rpm agrees with rpm.vercmp${rpmReason}`, () => {
  it(`on ${PAIRS} generated pairs (fast-check seed ${SEED})`, async () => {
    const pairs = samplePairs(rpmVersion, rpmClosePair, SEED)
    const oracle = await rpmCompareMany(pairs)
    expect(mismatches(pairs, oracle, 'rpm')).toEqual([])
    expect(new Set(oracle)).toEqual(new Set([-1, 0, 1]))
  })
})
