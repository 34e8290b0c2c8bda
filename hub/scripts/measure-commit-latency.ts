/**
 * Commit latency of the embedded store while the event loop is busy, as it is when the hub takes
 * 10,000 telemetry messages a second: a timer keeps the thread busy for `busyMs` out of every
 * `busyMs + 1` ms, and one writer puts a record and awaits `commit()` `count` times (an event's path to
 * its PUBACK). Each hop of a commit round through the event loop (timer, write, fsync, callback)
 * waits for a busy slice, so the latency counts the hops.
 * Run: `node --conditions=source --import tsx hub/scripts/measure-commit-latency.ts [count] [busyMs]`
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LowdbStore } from '../src/store/lowdb-store.js'

const COUNT = Number(process.argv[2] ?? 200)
const BUSY_MS = Number(process.argv[3] ?? 20)
const dir = await mkdtemp(join(process.env.VIGIL_PROBE_DIR ?? tmpdir(), 'vigil-commit-'))
const store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 3_600_000 })
const things = await store.collection<{ id: string; n: number }>('probe/things')
const busy = setInterval(() => {
  const until = performance.now() + BUSY_MS
  while (performance.now() < until);
}, 1)
const waits: number[] = []
for (let n = 0; n < COUNT; n++) {
  const t0 = performance.now()
  things.put({ id: 'a', n })
  await store.commit()
  waits.push(performance.now() - t0)
}
clearInterval(busy)
waits.sort((a, b) => a - b)
const q = (p: number) => Math.round(waits[Math.min(waits.length - 1, Math.floor(p * waits.length))] ?? 0)
console.log(JSON.stringify({ commits: COUNT, busyMs: BUSY_MS, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1) }))
await store.close()
await rm(dir, { recursive: true, force: true })
