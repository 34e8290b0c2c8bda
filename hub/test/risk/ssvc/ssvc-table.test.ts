/**
 * Issue 17: the SSVC deployer decision and Human Impact come from CERT/CC's published data. The decision
 * functions read the copied JSON; this checks EVERY row of the copied CSV (a second published form of
 * the same tables) against them, and that the tables are complete.
 */
import { readFileSync } from 'node:fs'
import type {
  MissionImpact,
  NetworkExposure,
  SafetyImpact,
  SsvcAutomatable,
  SsvcExploitation,
  SsvcHumanImpact,
} from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { parseCsv } from '../../../src/risk/ssvc/csv-import.ts'
import { deployerOutcome, humanImpact, SSVC_ROWS } from '../../../src/risk/ssvc/table.ts'

const data = (name: string) =>
  parseCsv(readFileSync(new URL(`../../../src/risk/ssvc/data/${name}`, import.meta.url), 'utf8')).slice(1)

describe('SSVC deployer table (CERT/CC ssvc:DT_DP 1.0.0)', () => {
  const rows = data('deployer_patch_application_priority_1_0_0.csv')

  it('has the 72 rows of 3 × 3 × 2 × 4 combinations', () => {
    expect(rows).toHaveLength(72)
    expect(SSVC_ROWS.deployer).toBe(72)
  })

  it.each(rows)('row %s: %s, %s, %s, %s → %s', (_n, e, exp, a, hi, outcome) => {
    expect(
      deployerOutcome(
        e as SsvcExploitation,
        exp as NetworkExposure,
        a as SsvcAutomatable,
        hi as SsvcHumanImpact,
      ),
    ).toBe(outcome)
  })
})

describe('SSVC Human Impact table (CERT/CC ssvc:DT_HI 1.0.0)', () => {
  const rows = data('human_impact_1_0_0.csv')

  it('has the 16 rows of Safety × Mission', () => {
    expect(rows).toHaveLength(16)
    expect(SSVC_ROWS.humanImpact).toBe(16)
  })

  it.each(rows)('row %s: %s × %s → %s', (_n, safety, mission, hi) => {
    const m = (mission ?? '').replace(/ /g, '-') as MissionImpact
    expect(humanImpact(safety as SafetyImpact, m)).toBe(hi)
  })
})
