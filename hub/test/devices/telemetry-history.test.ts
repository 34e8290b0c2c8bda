import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Ring, TelemetryHistory } from '../../src/devices/telemetry-history.ts'
import { telemetry } from '../helpers.ts'

describe('Ring', () => {
  it('keeps the last `capacity` items in order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer()), (capacity, items) => {
        const ring = new Ring<number>(capacity)
        for (const i of items) ring.push(i)
        expect(ring.toArray()).toEqual(items.slice(-capacity))
        expect(ring.last()).toBe(items.at(-1))
      }),
    )
  })
})

describe('TelemetryHistory', () => {
  it('keeps full rate recently and one sample per window before', () => {
    const history = new TelemetryHistory({ recent: 3, downsampled: 10, downsampleWindowMs: 60_000 })
    const at = (sec: number) => ({ ...telemetry(sec), ts: new Date(sec * 1000).toISOString() })
    for (let s = 0; s < 300; s += 10) history.add('d', at(s))
    const all = history.query('d')
    expect(all.slice(-3).map((t) => t.cpu.loadPct)).toEqual([270, 280, 290])
    expect(all.slice(0, -3).map((t) => t.cpu.loadPct)).toEqual([0, 60, 120, 180, 240])
    expect(history.query('d', 280_000)).toHaveLength(2)
    history.forget('d')
    expect(history.query('d')).toEqual([])
  })

  it('answers each query as fresh objects', () => {
    const history = new TelemetryHistory()
    history.add('d', { ...telemetry(7), processes: 42 })
    const [first] = history.query('d')
    expect(first?.processes).toBe(42)
    if (first) first.processes = 0
    expect(history.query('d')[0]?.processes).toBe(42)
  })
})
