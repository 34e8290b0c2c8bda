import { describe, expect, it } from 'vitest'
import { complianceHint, compliancePct, fleetKpis } from '../../src/lib/kpis.ts'
import { device } from '../helpers.ts'

describe('baseline compliance tile', () => {
  it('says that it counts devices failing no check, not passing checks', () => {
    // one device, 13 of 23 checks pass: 0 % of devices comply
    const k = fleetKpis([device(1, { failingChecks: 10 })], 0, 60_000)
    expect(compliancePct(k)).toBe(0)
    expect(complianceHint(k)).toBe('devices failing no check: 0 of 1 assessed')
    expect(complianceHint(fleetKpis([device(2, { failingChecks: undefined })], 0, 60_000))).toBe(
      'no device has reported its hardening yet',
    )
  })
})
