/**
 * CPU cost of the hub's own work per telemetry message, without sockets: a real hub (store, registry,
 * live stream, metrics) is started in-process and the ingest pipeline is fed 1 KB QoS-1-sized telemetry
 * payloads round-robin over `devices` devices (as the bench's ingest section does through aedes).
 * Prints CPU µs per message and the share of garbage collection.
 * Run: `node --conditions=source --import tsx hub/scripts/measure-pipeline.ts [messages] [devices]`
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PerformanceObserver } from 'node:perf_hooks'
import { loadHubConfig } from '../src/config.js'
import { createEnrollmentToken, enrollDevice } from '../src/devices/enrollment.js'
import { createIngest } from '../src/ingest/pipeline.js'
import { startHub } from '../src/server.js'
import { benchTelemetry } from '../test/bench-telemetry.ts'

const MESSAGES = Number(process.argv[2] ?? 300_000)
const DEVICES = Number(process.argv[3] ?? 200)
const BATCH = 500

/** The bench's ~1 KB sample (several mounts and sensors). */
const sample = (ts: Date) => JSON.stringify(benchTelemetry(ts))

const dir = await mkdtemp(join(tmpdir(), 'vigil-pipeline-'))
const hub = await startHub(
  loadHubConfig(
    {
      httpPort: 0,
      mqttPort: 0,
      httpHost: '127.0.0.1',
      mqttHost: '127.0.0.1',
      dataDir: dir,
      adminPassword: 'measure-only',
      logLevel: 'silent',
    },
    {},
  ),
  { logger: false },
)
const h = hub.app.hub
const { token } = createEnrollmentToken(h.store, { uses: DEVICES, createdBy: 'measure' })
const ids = Array.from({ length: DEVICES }, (_, i) => {
  const { device } = enrollDevice(h.store, token, `gw-${i}`)
  h.registry.add({ ...device, online: true })
  return device.id
})
const ingest = createIngest({
  store: h.store,
  registry: h.registry,
  telemetry: h.telemetry,
  events: h.events,
  metrics: h.metrics,
  hooks: h.hooks,
  commands: h.commands,
  log: hub.app.log,
  isConnected: () => true,
  adoptUnknownDevices: false,
})
// Payloads as aedes hands them over: one Buffer per message (a few distinct timestamps, 1 s apart).
const t0 = Date.now()
const payloads = Array.from({ length: 64 }, (_, i) => Buffer.from(sample(new Date(t0 + i * 1000))))

let gcMs = 0
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration
})
obs.observe({ entryTypes: ['gc'] })

const run = async (count: number) => {
  for (let n = 0; n < count; ) {
    for (let b = 0; b < BATCH && n < count; b++, n++) {
      const d = n % DEVICES
      void ingest({
        deviceId: ids[d] as string,
        kind: 'telemetry',
        payload: Buffer.from(payloads[n % payloads.length] as Buffer),
      })
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
}

await run(Math.min(50_000, MESSAGES)) // warm-up (and fills the telemetry rings)
gcMs = 0
const cpu0 = process.cpuUsage()
const wall0 = performance.now()
await run(MESSAGES)
const cpu = process.cpuUsage(cpu0)
const wallMs = performance.now() - wall0
await new Promise((resolve) => setTimeout(resolve, 50))
obs.disconnect()
const cpuMs = (cpu.user + cpu.system) / 1000
const accepted = (await h.metrics.messages.get()).values.find((v) => v.labels.kind === 'telemetry')?.value
console.log(
  JSON.stringify({
    messages: MESSAGES,
    devices: DEVICES,
    accepted,
    cpuMicrosPerMsg: Math.round((cpuMs / MESSAGES) * 1000 * 100) / 100,
    gcSharePct: Math.round((gcMs / wallMs) * 1000) / 10,
    msgsPerSec: Math.round(MESSAGES / (wallMs / 1000)),
    heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  }),
)
await hub.close()
await rm(dir, { recursive: true, force: true })
