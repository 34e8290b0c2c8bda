/**
 * The hub tests' one poll helper: waits on state reached asynchronously (over MQTT, PostgreSQL
 * notifications, a job lease) by asking `check` again until it answers something other than
 * `undefined` or `false`, and answers that; throws naming `what` after `ms`, asking every `everyMs`.
 * Never a fixed sleep. The cross-package tests' `until` (test/src/system.ts) is this one.
 */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what = 'condition',
  ms = 15_000,
  everyMs = 20,
): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
