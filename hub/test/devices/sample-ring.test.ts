import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SampleRing } from '../../src/devices/sample-ring.js'

describe('SampleRing', () => {
  it('keeps exactly the last `capacity` samples in order, whatever their sizes (property)', () => {
    const sample = fc.record({
      ms: fc.integer({ min: 0, max: 1_000_000 }),
      // sizes from a few bytes to several KB, non-ASCII included (UTF-8 lengths differ from string lengths)
      note: fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        fc.string({ minLength: 2000, maxLength: 6000 }),
      ),
    })
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(sample, { maxLength: 80 }),
        (capacity, samples) => {
          const ring = new SampleRing(capacity)
          const model: { ms: number; text: string }[] = []
          for (const s of samples) {
            const text = JSON.stringify(s)
            ring.push(s.ms, text)
            model.push({ ms: s.ms, text })
            if (model.length > capacity) model.shift()
            expect(ring.length).toBe(model.length)
            expect(ring.between(0, Number.POSITIVE_INFINITY)).toEqual(model.map((m) => JSON.parse(m.text)))
            expect(ring.firstTime()).toBe(model[0]?.ms ?? Number.POSITIVE_INFINITY)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('answers only the samples inside the time range, oldest first', () => {
    const ring = new SampleRing(4)
    for (let i = 0; i < 6; i++) ring.push(i * 10, JSON.stringify({ i }))
    expect(ring.between(30, 50)).toEqual([{ i: 3 }, { i: 4 }])
    expect(ring.firstTime()).toBe(20)
  })

  it('holds its samples in a buffer near their total size once full, not one per sample on the heap', () => {
    const ring = new SampleRing(360)
    const text = JSON.stringify({ pad: 'x'.repeat(1000) })
    for (let i = 0; i < 2000; i++) ring.push(i, text)
    expect(ring.length).toBe(360)
    expect(ring.byteCapacity).toBeGreaterThanOrEqual(360 * text.length)
    expect(ring.byteCapacity).toBeLessThanOrEqual(Math.ceil(360 * text.length * 1.25))
  })
})
