import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Coalescer, type Delta } from '../../src/realtime/coalescer.ts'

const row = (id: string, cpuPct: number) => ({
  id,
  name: id,
  online: true,
  disabled: false,
  lastSeen: null,
  enrolledAt: new Date(0).toISOString(),
  cpuPct,
})

describe('Coalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('emits at most one entry per device per window, the latest', () => {
    const deltas: Delta[] = []
    const c = new Coalescer<ReturnType<typeof row>>(
      250,
      (d) => deltas.push(d),
      (r) => r,
    )
    for (let i = 0; i < 100; i++) c.change(row('a', i))
    c.change(row('b', 1))
    expect(deltas).toHaveLength(0)
    vi.advanceTimersByTime(250)
    expect(deltas).toEqual([{ devices: [row('a', 99), row('b', 1)], removed: [] }])
    vi.advanceTimersByTime(1000)
    expect(deltas).toHaveLength(1)
  })

  it('a removal supersedes changes in the same window, and a change after removal revives', () => {
    const deltas: Delta[] = []
    const c = new Coalescer<ReturnType<typeof row>>(
      100,
      (d) => deltas.push(d),
      (r) => r,
    )
    c.change(row('a', 1))
    c.remove('a')
    vi.advanceTimersByTime(100)
    c.remove('b')
    c.change(row('b', 2))
    vi.advanceTimersByTime(100)
    expect(deltas).toEqual([
      { devices: [], removed: ['a'] },
      { devices: [row('b', 2)], removed: [] },
    ])
  })

  it('drops a window unprojected while nobody listens, and sends the next one when someone does', () => {
    const deltas: Delta[] = []
    let listening = false
    const projected: string[] = []
    const c = new Coalescer<ReturnType<typeof row>>(
      100,
      (d) => deltas.push(d),
      (r) => {
        projected.push(r.id)
        return r
      },
      () => listening,
    )
    c.change(row('a', 1))
    vi.advanceTimersByTime(100)
    expect(deltas).toEqual([])
    expect(projected).toEqual([])
    listening = true
    c.change(row('b', 2))
    vi.advanceTimersByTime(100)
    expect(deltas).toEqual([{ devices: [row('b', 2)], removed: [] }])
  })
})
