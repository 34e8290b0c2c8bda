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
} from '../../src/advisories/cvss.ts'
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
