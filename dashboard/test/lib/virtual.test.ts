import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scrollToReveal, visibleWindow } from '../../src/lib/virtual.ts'

describe('visibleWindow', () => {
  it('covers every row that intersects the viewport, and stays within bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 10, max: 60 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 50, max: 2_000 }),
        fc.integer({ min: 0, max: 10 }),
        (count, rowHeight, scrollTop, viewportHeight, overscan) => {
          const w = visibleWindow({ count, rowHeight, scrollTop, viewportHeight, overscan })
          expect(w.start).toBeGreaterThanOrEqual(0)
          expect(w.end).toBeLessThanOrEqual(count)
          expect(w.offset).toBe(w.start * rowHeight)
          const top = Math.min(scrollTop, Math.max(0, count * rowHeight - viewportHeight))
          const firstVisible = Math.floor(top / rowHeight)
          const lastVisible = Math.min(count - 1, Math.floor((top + viewportHeight - 1) / rowHeight))
          if (count > 0) {
            expect(w.start).toBeLessThanOrEqual(firstVisible)
            expect(w.end).toBeGreaterThan(lastVisible)
          }
          // Never more than a viewport's worth plus overscan.
          expect(w.end - w.start).toBeLessThanOrEqual(
            Math.ceil(viewportHeight / rowHeight) + 1 + 2 * overscan,
          )
        },
      ),
    )
  })
})

describe('scrollToReveal', () => {
  it('scrolls up or down only as far as needed', () => {
    expect(scrollToReveal(0, 30, 300, 600)).toBe(0)
    expect(scrollToReveal(15, 30, 0, 600)).toBeNull()
    expect(scrollToReveal(20, 30, 0, 600)).toBe(30)
  })
})
