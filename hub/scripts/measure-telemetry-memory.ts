/**
 * Memory held by the telemetry history: `devices` devices × one hour of the bench's ~1 KB sample at
 * 10 s (360 samples each, so the full-rate ring is full; the downsampled ring holds 12). Prints the
 * growth of the V8 heap and of ArrayBuffer memory after a full GC, per device and scaled to 10,000.
 * The module is any build of `telemetry-history.js` (e.g. an older commit's dist, to compare).
 * Run: `node --expose-gc hub/scripts/... ` via tsx:
 * `node --expose-gc --import tsx hub/scripts/measure-telemetry-memory.ts [devices] [module path]`
 */
import { pathToFileURL } from 'node:url'
import type { Telemetry } from '@vigil/protocol'
import { benchTelemetry } from '../test/bench-telemetry.ts'

const DEVICES = Number(process.argv[2] ?? 1000)
const MODULE = process.argv[3] ?? new URL('../dist/devices/telemetry-history.js', import.meta.url).pathname
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

const sample = benchTelemetry

const { TelemetryHistory } = (await import(pathToFileURL(MODULE).href)) as {
  TelemetryHistory: new () => {
    add(id: string, t: Telemetry, text?: string): void
    query(id: string): Telemetry[]
  }
}
const used = () => {
  gc()
  const m = process.memoryUsage()
  return { heap: m.heapUsed, buffers: m.arrayBuffers }
}
const history = new TelemetryHistory()
const before = used()
const start = Date.UTC(2026, 11, 6)
for (let s = 0; s < 360; s++) {
  for (let d = 0; d < DEVICES; d++) {
    const t = sample(new Date(start + s * 10_000 + d), s)
    // the string design keeps the received text; the numbers design ignores a third argument
    history.add(`device-${d}`, t, JSON.stringify(t))
  }
}
const after = used()
const mb = (b: number) => Math.round(b / 1e5) / 10
const perDevice = (after.heap - before.heap + after.buffers - before.buffers) / DEVICES
console.log(
  JSON.stringify({
    module: MODULE,
    devices: DEVICES,
    samplesPerDevice: history.query('device-0').length,
    heapMB: mb(after.heap - before.heap),
    arrayBuffersMB: mb(after.buffers - before.buffers),
    perDeviceKB: Math.round(perDevice / 100) / 10,
    at10000DevicesMB: mb(perDevice * 10_000),
  }),
)
