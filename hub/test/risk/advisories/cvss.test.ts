import ae from 'ae-cvss-calculator'
import { describe, expect, it } from 'vitest'
import {
  baseScoreOf,
  CvssError,
  cvss2BaseScore,
  cvss3BaseScore,
  roundUp31,
  severityBand,
  severityFromScores,
  validateCvss4,
} from '../../../src/risk/advisories/cvss.ts'
import { cisaFiles, readJson } from './data.ts'

interface Score {
  cvss_v3?: { vectorString: string; baseScore: number; baseSeverity: string }
}
interface Doc {
  vulnerabilities?: { scores?: Score[] }[]
}

describe('CVSS v3.x base score', () => {
  it('agrees with the baseScore of every CVSS v3 score in the CISA advisories', () => {
    let n = 0
    for (const file of cisaFiles()) {
      for (const v of (readJson(file) as Doc).vulnerabilities ?? []) {
        for (const s of v.scores ?? []) {
          if (!s.cvss_v3) continue
          n++
          expect(cvss3BaseScore(s.cvss_v3.vectorString), `${file} ${s.cvss_v3.vectorString}`).toBe(
            s.cvss_v3.baseScore,
          )
          expect(severityBand(s.cvss_v3.baseScore).toUpperCase()).toBe(s.cvss_v3.baseSeverity)
        }
      }
    }
    expect(n).toBeGreaterThan(300)
  })

  it('computes the textbook vectors (v3.1 and v3.0 rounding)', () => {
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(9.8)
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H')).toBe(10)
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N')).toBe(0)
    expect(cvss3BaseScore('CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N')).toBe(3.1)
  })

  it('rounds up as Appendix A says, immune to floating point error', () => {
    expect(roundUp31(4.000000000000001)).toBe(4)
    expect(roundUp31(4.02)).toBe(4.1)
    expect(roundUp31(4)).toBe(4)
  })

  it('refuses malformed vectors with a CvssError', () => {
    expect(() => cvss3BaseScore('CVSS:3.1/AV:N/AC:L')).toThrow(CvssError)
    expect(() => cvss3BaseScore('CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/AV/)
    expect(() => cvss3BaseScore('CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/repeated/)
  })
})

describe('CVSS v2 and v4', () => {
  it('computes v2 base scores', () => {
    expect(cvss2BaseScore('AV:N/AC:L/Au:N/C:C/I:C/A:C')).toBe(10)
    expect(cvss2BaseScore('AV:N/AC:M/Au:N/C:P/I:N/A:N')).toBe(4.3)
  })

  it('scores a v4 vector from the vector itself, ignoring a stale given score', () => {
    const v4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'
    expect(() => validateCvss4(v4)).not.toThrow()
    expect(baseScoreOf({ vector: v4 })).toBe(9.3)
    expect(baseScoreOf({ vector: v4, baseScore: 5 })).toBe(9.3)
    expect(() => validateCvss4('CVSS:4.0/AV:N')).toThrow(CvssError)
  })

  it('takes the highest usable score and its band, skipping broken entries', () => {
    expect(
      severityFromScores([
        { vector: 'garbage' },
        { vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:L' },
        { baseScore: 5 },
      ]),
    ).toEqual({ score: 7.3, severity: 'high' })
    expect(severityFromScores([])).toBeNull()
  })
})

/** Every combination of the base metrics' values, as vectors. */
function* vectors(metrics: [string, string[]][], prefix: string, i = 0): Generator<string> {
  const m = metrics[i]
  if (m === undefined) {
    yield prefix
    return
  }
  for (const v of m[1]) yield* vectors(metrics, `${prefix}${prefix === '' ? '' : '/'}${m[0]}:${v}`, i + 1)
}
const V3: [string, string[]][] = [
  ['AV', ['N', 'A', 'L', 'P']],
  ['AC', ['L', 'H']],
  ['PR', ['N', 'L', 'H']],
  ['UI', ['N', 'R']],
  ['S', ['U', 'C']],
  ['C', ['H', 'L', 'N']],
  ['I', ['H', 'L', 'N']],
  ['A', ['H', 'L', 'N']],
]
const V2: [string, string[]][] = [
  ['AV', ['L', 'A', 'N']],
  ['AC', ['H', 'M', 'L']],
  ['Au', ['M', 'S', 'N']],
  ['C', ['N', 'P', 'C']],
  ['I', ['N', 'P', 'C']],
  ['A', ['N', 'P', 'C']],
]

// The independent implementation (metaeffekt's ae-cvss-calculator) is the oracle, not the scorer: it
// scores incomplete or repeated-metric vectors instead of refusing them, and is several times slower
// (see src/risk/advisories/README.md, "Why the scoring is our own").
describe('CVSS v2 and v3.x agree with an independent implementation on every base vector', () => {
  it('v3.1 and v3.0 (2,592 vectors each)', () => {
    const wrong: string[] = []
    for (const v of vectors(V3, 'CVSS:3.1'))
      if (cvss3BaseScore(v) !== new ae.Cvss3P1(v).calculateScores().base) wrong.push(v)
    for (const v of vectors(V3, 'CVSS:3.0'))
      if (cvss3BaseScore(v) !== new ae.Cvss3P0(v).calculateScores().base) wrong.push(v)
    expect(wrong).toEqual([])
  })

  it('v2 (729 vectors)', () => {
    const all = [...vectors(V2, '')]
    expect(all).toHaveLength(729)
    expect(all.filter((v) => cvss2BaseScore(v) !== new ae.Cvss2(v).calculateScores().base)).toEqual([])
  })

  it('refuses what the oracle would score: a missing or a repeated metric', () => {
    expect(() => cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H')).toThrow(CvssError)
    expect(() => cvss3BaseScore('CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(CvssError)
    expect(() => validateCvss4('CVSS:4.0/AV:N/AC:L')).toThrow(CvssError)
  })
})
