import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareVersions } from '../../src/versions/compare.ts'
import { VersionError, type VersionScheme } from '../../src/versions/types.ts'
import {
  apkVersion,
  composerVersion,
  debVersion,
  gemVersion,
  genericVersion,
  mavenVersion,
  nugetVersion,
  pypiVersion,
  rpmVersion,
  semverVersion,
} from './arbitraries.ts'

const ARBITRARIES: Record<VersionScheme, fc.Arbitrary<string>> = {
  deb: debVersion,
  apk: apkVersion,
  rpm: rpmVersion,
  semver: semverVersion,
  pypi: pypiVersion,
  generic: genericVersion,
  maven: mavenVersion,
  nuget: nugetVersion,
  gem: gemVersion,
  composer: composerVersion,
}

describe.each(Object.entries(ARBITRARIES) as [VersionScheme, fc.Arbitrary<string>][])(
  '%s ordering',
  (scheme, arb) => {
    const cmp = (a: string, b: string) => compareVersions(scheme, a, b)

    it('is reflexive', () => {
      fc.assert(
        fc.property(arb, (a) => cmp(a, a) === 0),
        { numRuns: 1000 },
      )
    })

    it('is antisymmetric', () => {
      fc.assert(
        fc.property(arb, arb, (a, b) => cmp(a, b) === -cmp(b, a)),
        { numRuns: 2000 },
      )
    })

    it('is transitive on triples', () => {
      fc.assert(
        fc.property(arb, arb, arb, (a, b, c) => {
          const [x, y, z] = [a, b, c].sort(cmp) as [string, string, string]
          return (
            cmp(x, y) <= 0 &&
            cmp(y, z) <= 0 &&
            cmp(x, z) <= 0 &&
            (cmp(x, y) === 0 && cmp(y, z) === 0) === (cmp(x, z) === 0)
          )
        }),
        { numRuns: 2000 },
      )
    })

    it('sorts consistently: every earlier element is <= every later one', () => {
      fc.assert(
        fc.property(fc.array(arb, { minLength: 2, maxLength: 30 }), (list) => {
          const sorted = [...list].sort(cmp)
          for (let i = 0; i < sorted.length; i++)
            for (let j = i + 1; j < sorted.length; j++) if (cmp(sorted[i]!, sorted[j]!) > 0) return false
          return true
        }),
        { numRuns: 300 },
      )
    })
  },
)

describe('regressions found by the properties', () => {
  it('generic: a missing part ranks exactly as 0, so 01. = 01.0 stays consistent with 01a.', () => {
    expect(compareVersions('generic', '01.', '01.0')).toBe(0)
    expect(compareVersions('generic', '01.', '01a.')).toBe(-1)
    expect(compareVersions('generic', '01.0', '01a.')).toBe(-1)
  })
})

describe('invalid versions', () => {
  it('throw VersionError with the reason where the scheme has a grammar', () => {
    expect(() => compareVersions('semver', 'not-a-version', '1.0.0')).toThrow(VersionError)
    expect(() => compareVersions('semver', '1.0.0', 'x')).toThrow(/invalid semver version "x"/)
    expect(() => compareVersions('deb', '1:', '1')).toThrow(/nothing after colon/)
    expect(() => compareVersions('deb', 'a:1', '1')).toThrow(/epoch in version is empty/)
    expect(() => compareVersions('deb', '1-', '1')).toThrow(/revision number is empty/)
    expect(() => compareVersions('generic', 'july 1 2017', '1')).toThrow(/whitespace/)
    expect(() => compareVersions('generic', '--', '1')).toThrow(/no letters or digits/)
    expect(() => compareVersions('pypi', '', '1')).toThrow(/empty/)
    expect(() => compareVersions('rpm', '', '1')).toThrow(/empty/)
    expect(() => compareVersions('apk', '', '1')).toThrow(/empty/)
  })

  it('refuses an unknown scheme', () => {
    expect(() => compareVersions('cobol' as VersionScheme, '1', '2')).toThrow(/unknown version scheme/)
  })
})

describe('documented examples', () => {
  const cases: [VersionScheme, string, string, -1 | 0 | 1][] = [
    ['deb', '1.0~rc1', '1.0', -1],
    ['deb', '1:0.9', '2.0', 1],
    ['deb', '1.2.3-1~deb12u1', '1.2.3-1', -1],
    ['deb', '1.0a', '1.0+', -1],
    ['apk', '1.0', '1', 1],
    ['apk', '1.2_rc1', '1.2', -1],
    ['apk', '1.2_p1', '1.2', 1],
    ['apk', '3.1.4-r2', '3.1.4-r10', -1],
    ['apk', '1.02', '1.1', -1],
    ['rpm', '1.0~rc1', '1.0', -1],
    ['rpm', '1.0^git1', '1.0', 1],
    ['rpm', '1.0^git1', '1.0.1', -1],
    ['rpm', '1.0a', '1.0.1', -1],
    ['rpm', '1:1.0', '2.0', 1],
    ['rpm', '1.0.2k-16.el7', '1.0.2k-12.el7', 1],
    ['semver', '1.2', '1.2.0', 0],
    ['semver', 'v2.0.0-rc.1', '2.0.0', -1],
    ['semver', '=v1.2.3', '1.2', 1],
    ['semver', '99999999999999999999.0.0', '=v1.2.3', 1],
    ['pypi', '1.0.post1', '1.0', 1],
    ['pypi', '1.0.dev0', '1.0a1', -1],
    ['pypi', '1.0', '1.0.0', 0],
    ['generic', '9.33', '9.4', 1],
    ['generic', '14.1s0', '14.1', 1],
    ['generic', '14.1s0', '14.2', -1],
    ['generic', 'B.06.18', 'B.06.9', 1],
    ['generic', 'B.06.18', 'C.00.04', -1],
    ['generic', '2.6A', '2.6', 1],
    ['generic', '2.6A', '2.6B', -1],
    ['generic', '2.6A', '2.6.9', 1],
    ['generic', '2.6A', '2.7', -1],
    ['generic', '2.6a', '2.6A', 0],
    ['generic', '1.0', '1.0.0', 0],
    ['generic', 'V8.0', '8.0', 0],
    ['generic', '12.2.8.410', '12.2.10', -1],
    ['maven', '1.0-SNAPSHOT', '1.0', -1],
    ['maven', '1.0.RELEASE', '1.0', 0],
    ['maven', '5.0.0.M1', '5.0.0.RC1', -1],
    // The specification's known cycle, documented in maven.ts:
    ['maven', '1-alpha1', '1', -1],
    ['maven', '1', '1.sp', -1],
    ['maven', '1.sp', '1-alpha1', -1],
    ['nuget', '1.0.0-beta.2', '1.0.0-BETA.10', -1],
    ['nuget', '1.0', '1.0.0.0+meta', 0],
    ['gem', '1.0.0.rc1', '1.0.0', -1],
    ['gem', '1.0-beta', '1.0', -1],
    ['gem', '3.10', '3.2', 1],
    ['composer', '1.0-dev', '1.0a1', -1],
    ['composer', 'v1.0pl1', '1.0', 1],
    ['composer', 'dev-main', '0.0.1', -1],
  ]
  it.each(cases)('%s: %s vs %s is %i', (scheme, a, b, expected) => {
    expect(compareVersions(scheme, a, b)).toBe(expected)
    expect(compareVersions(scheme, b, a)).toBe(-expected || 0)
  })
})
