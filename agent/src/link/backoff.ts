/** Jittered exponential backoff: the n-th retry waits min·2ⁿ capped at max, times a factor in [0.5, 1). */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30))
  return Math.max(1, Math.round(base * (0.5 + 0.5 * random())))
}
