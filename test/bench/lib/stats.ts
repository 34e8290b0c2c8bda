/** Small statistics helpers for the bench. */

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i] ?? Number.NaN
}

export function sortNumbers(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b)
}

export const round = (x: number, digits = 1): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it answers true or `timeoutMs` passes; answers whether it became true. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100) {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await check()) return true
    await sleep(everyMs)
  }
  return check()
}
