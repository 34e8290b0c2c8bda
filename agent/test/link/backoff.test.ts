import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../../src/link/backoff.ts'

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and jitters within [half, full]', () => {
    fc.assert(
      fc.property(
        fc.nat(50),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (n, min, extra, rnd) => {
          const max = min + extra
          const d = backoffDelay(n, min, max, () => rnd)
          const base = Math.min(max, min * 2 ** n)
          expect(d).toBeGreaterThanOrEqual(Math.floor(base / 2))
          expect(d).toBeLessThanOrEqual(base)
        },
      ),
    )
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, 100, 1000, () => 0.9999))).toEqual([100, 200, 400, 800])
  })
})
