import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalIsoMs } from '../../src/devices/iso-time.ts'

/** What `canonicalIsoMs` stands in for. */
const byDate = (s: string) => {
  const ms = Date.parse(s)
  return !Number.isNaN(ms) && new Date(ms).toISOString() === s ? ms : Number.NaN
}

describe('canonicalIsoMs', () => {
  it('answers as Date.parse + toISOString would, for every string of the canonical form (property)', () => {
    const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n })
    const near = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(3))
      .map(([y, mo, d, h, mi, s, ms]) => {
        const j = (a: number[]) => a.join('')
        return `${j(y)}-${j(mo)}-${j(d)}T${j(h)}:${j(mi)}:${j(s)}.${j(ms)}Z`
      })
    // real times (leap days, ends of months, years before 1970 and far ahead), and their text mutated
    const real = fc
      .integer({ min: -62_167_219_200_000, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) })
      .map((ms) => new Date(ms).toISOString())
    const mutated = fc
      .tuple(real, fc.nat(23), fc.constantFrom('0', '9', 'x', ' ', '+', '-'))
      .map(([s, i, c]) => s.slice(0, i) + c + s.slice(i + 1))
    fc.assert(
      fc.property(fc.oneof(near, real, mutated, fc.string({ maxLength: 30 })), (s) => {
        expect(canonicalIsoMs(s)).toBe(byDate(s))
      }),
      { numRuns: 20_000 },
    )
  })

  it('reads the forms agents send, and leaves the others to Date', () => {
    expect(canonicalIsoMs('2024-02-29T23:59:59.999Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999))
    expect(canonicalIsoMs('2023-02-29T00:00:00.000Z')).toBeNaN()
    expect(canonicalIsoMs('2026-12-06T24:00:00.000Z')).toBeNaN()
    expect(canonicalIsoMs('2026-12-06T10:00:00Z')).toBeNaN()
    expect(canonicalIsoMs('1969-12-31T23:59:59.999Z')).toBe(-1)
  })
})
