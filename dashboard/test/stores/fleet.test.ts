import { describe, expect, it } from 'vitest'
import { createFleetStore } from '../../src/stores/fleet.ts'
import { device } from '../helpers.ts'

function manualFrames() {
  const queue: (() => void)[] = []
  return {
    schedule: (fn: () => void) => {
      queue.push(fn)
    },
    runFrame: () => {
      for (const fn of queue.splice(0)) fn()
    },
    get pending() {
      return queue.length
    },
  }
}

describe('fleet store', () => {
  it('replaces the picture on a snapshot', () => {
    const store = createFleetStore(() => {})
    store.applySnapshot({ devices: [device(1), device(2)], ts: '2026-11-28T12:00:00.000Z' })
    store.applySnapshot({ devices: [device(3)], ts: '2026-11-28T12:00:01.000Z' })
    expect([...store.devices.value.keys()]).toEqual(['dev-00003'])
    expect(store.loaded.value).toBe(true)
    expect(store.asOf.value).toBe('2026-11-28T12:00:01.000Z')
  })

  it('applies a burst of deltas once, in the next frame, in order', () => {
    const frames = manualFrames()
    const store = createFleetStore(frames.schedule)
    store.applySnapshot({ devices: [device(1), device(2)], ts: 't0' })
    store.queueDelta({ devices: [device(1, { cpuPct: 50 })], removed: [], ts: 't1' })
    store.queueDelta({ devices: [device(1, { cpuPct: 60 }), device(3)], removed: ['dev-00002'], ts: 't2' })
    expect(frames.pending).toBe(1)
    expect(store.devices.value.get('dev-00001')?.cpuPct).toBe(7)
    frames.runFrame()
    expect(store.devices.value.get('dev-00001')?.cpuPct).toBe(60)
    expect(store.devices.value.has('dev-00002')).toBe(false)
    expect(store.devices.value.has('dev-00003')).toBe(true)
    expect(store.asOf.value).toBe('t2')
  })

  it('drops deltas queued before a newer snapshot', () => {
    const frames = manualFrames()
    const store = createFleetStore(frames.schedule)
    store.queueDelta({ devices: [device(9)], removed: [], ts: 't1' })
    store.applySnapshot({ devices: [device(1)], ts: 't2' })
    frames.runFrame()
    expect([...store.devices.value.keys()]).toEqual(['dev-00001'])
  })
})
