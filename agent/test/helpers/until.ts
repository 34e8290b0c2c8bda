/** Polls a condition (no wall-clock assertion: the test timeout is the only limit). */
export async function until<T>(fn: () => T | undefined | false, what = 'condition'): Promise<T> {
  for (let i = 0; ; i++) {
    const v = fn()
    if (v) return v
    await new Promise((r) => setTimeout(r, 20))
    // a safety net far beyond the test's own timeout, which is what normally ends a wait
    if (i > 4_000) throw new Error(`timed out waiting for ${what}`)
  }
}
