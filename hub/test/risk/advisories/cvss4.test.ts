import ae from 'ae-cvss-calculator'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CvssError, cvss4MacroVector, cvss4Score, parseCvss4 } from '../../../src/risk/advisories/cvss.ts'
import { normalizeOsv } from '../../../src/risk/advisories/normalize/osv.ts'
import { OSV, readJson } from './data.ts'

const BASE: [string, string[]][] = [
  ['AV', ['N', 'A', 'L', 'P']],
  ['AC', ['L', 'H']],
  ['AT', ['N', 'P']],
  ['PR', ['N', 'L', 'H']],
  ['UI', ['N', 'P', 'A']],
  ['VC', ['H', 'L', 'N']],
  ['VI', ['H', 'L', 'N']],
  ['VA', ['H', 'L', 'N']],
  ['SC', ['H', 'L', 'N']],
  ['SI', ['H', 'L', 'N']],
  ['SA', ['H', 'L', 'N']],
]
const OPTIONAL: [string, string[]][] = [
  ['E', ['X', 'A', 'P', 'U']],
  ['CR', ['X', 'H', 'M', 'L']],
  ['IR', ['X', 'H', 'M', 'L']],
  ['AR', ['X', 'H', 'M', 'L']],
  ['MAV', ['X', 'N', 'A', 'L', 'P']],
  ['MAC', ['X', 'L', 'H']],
  ['MAT', ['X', 'N', 'P']],
  ['MPR', ['X', 'N', 'L', 'H']],
  ['MUI', ['X', 'N', 'P', 'A']],
  ['MVC', ['X', 'H', 'L', 'N']],
  ['MVI', ['X', 'H', 'L', 'N']],
  ['MVA', ['X', 'H', 'L', 'N']],
  ['MSC', ['X', 'H', 'L', 'N']],
  ['MSI', ['X', 'S', 'H', 'L', 'N']],
  ['MSA', ['X', 'S', 'H', 'L', 'N']],
  ['S', ['X', 'N', 'P']],
  ['AU', ['X', 'N', 'Y']],
  ['R', ['X', 'A', 'U', 'I']],
  ['V', ['X', 'D', 'C']],
  ['RE', ['X', 'L', 'M', 'H']],
  ['U', ['X', 'Clear', 'Green', 'Amber', 'Red']],
]

/** The independent implementation used as the oracle (metaeffekt's, which follows FIRST's calculator). */
function oracle(vector: string): number {
  return new ae.Cvss4P0(vector).calculateScores().overall as number
}

function* everyBaseVector(i = 0, prefix = 'CVSS:4.0'): Generator<string> {
  const entry = BASE[i]
  if (entry === undefined) {
    yield prefix
    return
  }
  for (const value of entry[1]) yield* everyBaseVector(i + 1, `${prefix}/${entry[0]}:${value}`)
}

describe('CVSS v4.0 scoring', () => {
  it('gives the scores FIRST publishes for well-known vectors', () => {
    // [vector, score, MacroVector] as shown by FIRST's calculator (first.org/cvss/calculator/4-0).
    const known: [string, number, string][] = [
      ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10, '000100'],
      ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, '000200'],
      ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N', 6.9, '002201'],
      ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N', 5.3, '102201'],
      ['CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0, '102201'],
      // Threat and Environmental metrics change the score (CVSS-BTE).
      ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A', 8.7, '100200'],
      [
        'CVSS:4.0/AV:P/AC:H/AT:N/PR:L/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:H/E:A/CR:H/IR:H/AR:X/MAV:N/MAC:L/MAT:X/MPR:N/MUI:N/MVC:N/MVI:H/MVA:L/MSC:H/MSI:S/MSA:N',
        9.7,
        '001000',
      ],
      [
        'CVSS:4.0/AV:P/AC:H/AT:N/PR:H/UI:N/VC:L/VI:H/VA:N/SC:H/SI:L/SA:H/E:U/CR:L/IR:H/AR:M/MAV:X/MAC:H/MAT:X/MPR:X/MUI:A/MVC:X/MVI:X/MVA:H/MSC:L/MSI:L/MSA:N',
        0.6,
        '211220',
      ],
      // One ULP below the x.x5 tie before rounding (FIRST calculator fix of 2024-11).
      ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H', 8.6, '101100'],
    ]
    for (const [vector, score, macro] of known) {
      expect(cvss4MacroVector(parseCvss4(vector)), vector).toBe(macro)
      expect(cvss4Score(vector), vector).toBe(score)
    }
  })

  it('agrees with an independent implementation on all 104,976 base vectors', { timeout: 180_000 }, () => {
    let n = 0
    const wrong: string[] = []
    for (const vector of everyBaseVector()) {
      n++
      const ours = cvss4Score(vector)
      if (ours !== oracle(vector)) wrong.push(`${vector}: ${ours} vs ${oracle(vector)}`)
    }
    expect(n).toBe(104_976)
    expect(wrong.slice(0, 5)).toEqual([])
  })

  it('agrees with it on vectors carrying threat, environmental and supplemental metrics', () => {
    const metric = ([key, values]: [string, string[]]) =>
      fc.option(
        fc.constantFrom(...values).map((v) => `/${key}:${v}`),
        { nil: '' },
      )
    const vector = fc
      .tuple(
        fc.tuple(...BASE.map(([k, values]) => fc.constantFrom(...values).map((v) => `/${k}:${v}`))),
        fc.tuple(...OPTIONAL.map(metric)),
      )
      .map(([base, rest]) => `CVSS:4.0${base.join('')}${rest.join('')}`)
    fc.assert(
      fc.property(vector, (v) => {
        expect(cvss4Score(v)).toBe(oracle(v))
      }),
      { numRuns: 5_000 },
    )
  })

  it('scores the CVSS v4 vectors of the OSV records in the shared data', () => {
    const root = `${OSV}/google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs`
    const cases: [string, number, string][] = [
      // Integrity of the subsequent system only, low: GitHub shows 6.9 (moderate) for this advisory.
      [`${root}/Maven/GHSA-3pxv-7cmr-fjr4.json`, 6.9, 'medium'],
      [`${root}/GIT/CVE-2024-51757.json`, 9.3, 'critical'],
    ]
    for (const [file, score, severity] of cases) {
      const parsed = normalizeOsv(readJson(file), file)
      if (!parsed.ok) throw new Error(parsed.reason)
      expect(parsed.advisory.score, file).toBe(score)
      expect(parsed.advisory.severity, file).toBe(severity)
    }
  })

  it('refuses malformed vectors, naming what is wrong', () => {
    const full = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'
    const bad: [string, RegExp][] = [
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /not a CVSS v4.0 vector/],
      ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N', /SA missing/],
      [`${full}/XX:Y`, /unknown metric XX/],
      [`${full}/E:Q`, /invalid value Q for metric E/],
      ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:S/VA:H/SC:N/SI:N/SA:N', /invalid value S for metric VI/],
      [`${full}/E:A/E:A`, /E repeated/],
      [`${full}/MAV:N/E:A`, /E out of order/],
      [`${full}/E`, /malformed metric "E"/],
      [`${full}/`, /malformed metric ""/],
    ]
    for (const [vector, message] of bad) {
      expect(() => cvss4Score(vector), vector).toThrow(CvssError)
      expect(() => cvss4Score(vector), vector).toThrow(message)
    }
  })
})
