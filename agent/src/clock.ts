/** Time as a dependency, so intervals and backoff are testable with fake timers or a manual clock. */
export interface Clock {
  now(): Date
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  setInterval(fn: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

export const systemClock: Clock = {
  now: () => new Date(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
}

/** Waits for `promise`, but at most `ms` (then resolves `false`; the promise keeps running). */
export function within(clock: Clock, promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), Math.max(0, ms))
    promise.then(
      () => {
        clock.clearTimeout(timer)
        resolve(true)
      },
      () => {
        clock.clearTimeout(timer)
        resolve(true)
      },
    )
  })
}
