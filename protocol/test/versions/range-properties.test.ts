import fc from 'fast-check'
import { describe, it } from 'vitest'
import { compareVersions } from '../../src/versions/compare.ts'
import { parseRange, rangeContains } from '../../src/versions/range.ts'
import type { VersionScheme } from '../../src/versions/types.ts'
import { debVersion, genericVersion, pypiVersion, semverVersion } from './arbitraries.ts'

const SCHEMES: [VersionScheme, string, fc.Arbitrary<string>][] = [
  ['deb', 'deb', debVersion],
  ['generic', 'generic', genericVersion],
  ['pypi', 'pypi', pypiVersion],
  ['semver', 'npm', semverVersion],
]

describe.each(SCHEMES)('rangeContains agrees with compareVersions (%s)', (scheme, purlType, arb) => {
  const cmp = (a: string, b: string) => compareVersions(scheme, a, b)
  const parse = (text: string) => {
    const parsed = parseRange(text, scheme)
    if (!parsed.ok) throw new Error(`${text}: ${parsed.reason}`)
    return parsed.range
  }
  const enc = encodeURIComponent

  it('for single comparators', () => {
    fc.assert(
      fc.property(arb, arb, fc.constantFrom('<', '<=', '>', '>=', '=', '!='), (v, bound, op) => {
        const c = cmp(v, bound)
        const expected = { '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0, '=': c === 0, '!=': c !== 0 }[
          op
        ]
        return rangeContains(parse(`vers:${purlType}/${op}${enc(bound)}`), v) === expected
      }),
      { numRuns: 1500 },
    )
  })

  it('for intervals written either way round (VERS or CSAF bare form)', () => {
    fc.assert(
      fc.property(arb, arb, arb, (v, x, y) => {
        const [lo, hi] = cmp(x, y) <= 0 ? [x, y] : [y, x]
        let text = `vers:${purlType}/<${enc(hi)}|>=${enc(lo)}`
        if (scheme === 'generic') {
          // The bare form needs a digit; generated generic versions may lack one.
          const readable = (s: string) => /\d/.test(s) && /^[0-9A-Za-z]/.test(s)
          if (!readable(lo) || !readable(hi)) return true
          text = `< ${hi} | >= ${lo}`
        }
        // An empty interval repeats one version, which VERS forbids: refused, not misread.
        if (cmp(lo, hi) === 0) return !parseRange(text, scheme).ok
        return rangeContains(parse(text), v) === (cmp(v, lo) >= 0 && cmp(v, hi) < 0)
      }),
      { numRuns: 1500 },
    )
  })
})
