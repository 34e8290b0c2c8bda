/** A manual clock: intervals run only when the test says so; timeouts run after a real short delay. */
import type { Clock } from '../../src/clock.ts'

export interface ManualClock extends Clock {
  /** runs every interval registered with this period (ms) once */
  tick(periodMs: number): void
  intervals(): number[]
}

export function manualClock(start = new Date('2026-01-01T00:00:00Z')): ManualClock {
  let t = start.getTime()
  const intervals = new Map<number, { fn: () => void; ms: number }>()
  let next = 1
  return {
    now: () => {
      t += 1
      return new Date(t)
    },
    setTimeout: (fn, ms) => setTimeout(fn, Math.min(ms, 50)),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    setInterval: (fn, ms) => {
      const id = next++
      intervals.set(id, { fn, ms })
      return id
    },
    clearInterval: (h) => {
      intervals.delete(h as number)
    },
    tick(periodMs) {
      t += periodMs
      for (const i of intervals.values()) if (i.ms === periodMs) i.fn()
    },
    intervals: () => [...intervals.values()].map((i) => i.ms),
  }
}
