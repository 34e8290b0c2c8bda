import fc from 'fast-check'
import { IsDateTime } from 'typebox/format'
import { describe, expect, it } from 'vitest'
import { isDateTime, isIsoUtcDateTime } from '../src/date-time.js'
import { compile, DEVICE_MESSAGES } from '../src/index.js'

/** Strings close to the recognised form: each character from a small alphabet of digits and separators. */
const nearIso = fc
  .array(fc.constantFrom(...'0123456789-:TZ.tz+ '.split('')), { minLength: 18, maxLength: 26 })
  .map((cs) => cs.join(''))

/** Valid-looking timestamps with fields pushed past their ranges (month 13, day 30 of February, …). */
const fields = fc
  .record({
    y: fc.integer({ min: 0, max: 9999 }),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 24 }),
    mi: fc.integer({ min: 0, max: 60 }),
    s: fc.integer({ min: 0, max: 61 }),
    ms: fc.option(fc.integer({ min: 0, max: 999 })),
    z: fc.constantFrom('Z', 'z', '+00:00', '-05:30', ''),
  })
  .map(({ y, mo, d, h, mi, s, ms, z }) => {
    const p = (n: number, w = 2) => String(n).padStart(w, '0')
    return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}${ms === null ? '' : `.${p(ms, 3)}`}${z}`
  })

describe('date-time format', () => {
  it('gives TypeBox’s verdict for any string, near-ISO string and field combination', () => {
    for (const arb of [
      fc.string(),
      nearIso,
      fields,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ])
      fc.assert(
        fc.property(arb, (s) => {
          expect(isDateTime(s)).toBe(IsDateTime(s))
        }),
        { numRuns: 3000 },
      )
  })

  it('recognises only valid UTC timestamps in the agents’ form', () => {
    expect(isIsoUtcDateTime('2026-12-06T20:30:00.123Z')).toBe(true)
    expect(isIsoUtcDateTime('2026-12-06T20:30:00Z')).toBe(true)
    expect(isIsoUtcDateTime('2024-02-29T00:00:00Z')).toBe(true)
    expect(isIsoUtcDateTime('2023-02-29T00:00:00Z')).toBe(false)
    expect(isIsoUtcDateTime('2026-13-06T20:30:00Z')).toBe(false)
    expect(isIsoUtcDateTime('2026-12-06T24:30:00Z')).toBe(false)
    expect(isIsoUtcDateTime('2026-12-06T20:30:60Z')).toBe(false) // a leap second: TypeBox decides
    expect(isDateTime('2016-12-31T23:59:60Z')).toBe(IsDateTime('2016-12-31T23:59:60Z'))
    expect(isIsoUtcDateTime('2026-12-06 20:30:00Z')).toBe(false)
    expect(isDateTime('2026-12-06T20:30:00+01:00')).toBe(true)
  })

  it('is what the compiled validators use', () => {
    const telemetry = compile(DEVICE_MESSAGES.telemetry.schema)
    const t = {
      v: 1,
      ts: '2026-02-30T00:00:00Z',
      cpu: { loadPct: 1, loadAvg: [0, 0, 0] },
      mem: { total: 1, used: 0 },
      disks: [],
      net: { rxBps: 0, txBps: 0 },
      uptimeSec: 1,
      processes: 1,
    }
    expect(telemetry.check(t)).toBe(false)
    expect(telemetry.check({ ...t, ts: '2026-02-28T00:00:00.000Z' })).toBe(true)
  })
})
