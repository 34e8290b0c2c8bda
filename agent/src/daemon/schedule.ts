/** The agent's periodic jobs: errors are logged, and `stop()` waits for the runs in flight. */
import type { Clock } from '../clock.js'
import type { Logger } from '../logger.js'

export interface Schedule {
  every(sec: number, fn: () => Promise<unknown>): void
  stop(): Promise<void>
}

export function createSchedule(clock: Clock, log: Logger): Schedule {
  const timers: unknown[] = []
  const inflight = new Set<Promise<unknown>>()
  return {
    every(sec, fn) {
      timers.push(
        clock.setInterval(() => {
          const p = fn()
            .catch((err: Error) => log.warn(err.message))
            .finally(() => inflight.delete(p))
          inflight.add(p)
        }, sec * 1000),
      )
    },
    async stop() {
      for (const t of timers.splice(0)) clock.clearInterval(t)
      await Promise.all(inflight)
    },
  }
}
