/**
 * Connects N simulated devices (real MQTT clients, real embedded broker) to an in-process hub, sends a
 * birth and telemetry from each, and prints connect time, ingest rate and the event-loop delay.
 * Run: `node --conditions=source --import tsx hub/scripts/measure-ingest.ts [devices]`
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { PROTOCOL_VERSION, topics } from '@vigil/protocol'
import mqtt, { type MqttClient } from 'mqtt'
import { loadHubConfig } from '../src/config.js'
import { createEnrollmentToken, enrollDevice } from '../src/devices/enrollment.js'
import { startHub } from '../src/server.js'

const N = Number(process.argv[2] ?? 1000)
const dir = await mkdtemp(join(tmpdir(), 'vigil-ingest-'))
const hub = await startHub(
  loadHubConfig(
    {
      httpPort: 0,
      mqttPort: 0,
      httpHost: '127.0.0.1',
      mqttHost: '127.0.0.1',
      dataDir: dir,
      adminPassword: 'measure-only',
    },
    {},
  ),
  { logger: false },
)
const { store, registry, metrics } = hub.app.hub
const { token } = createEnrollmentToken(store, { uses: N, createdBy: 'measure' })
const creds = Array.from({ length: N }, (_, i) => {
  const { device, secret } = enrollDevice(store, token, `gw-${i}`)
  registry.add(device)
  return { id: device.id, secret }
})
const loop = monitorEventLoopDelay({ resolution: 1 })
loop.enable()
const t0 = performance.now()
const clients: MqttClient[] = []
for (let i = 0; i < N; i += 100) {
  const batch = creds.slice(i, i + 100).map(
    (c) =>
      new Promise<MqttClient>((resolve, reject) => {
        const client = mqtt.connect(hub.mqttUrl, {
          clientId: c.id,
          username: c.id,
          password: c.secret,
          reconnectPeriod: 0,
        })
        client.once('connect', () => resolve(client))
        client.once('error', reject)
      }),
  )
  clients.push(...(await Promise.all(batch)))
}
const connectMs = performance.now() - t0
const sample = (cpu: number) =>
  JSON.stringify({
    v: PROTOCOL_VERSION,
    ts: new Date().toISOString(),
    cpu: { loadPct: cpu },
    mem: { total: 1000, used: 500 },
    disks: [{ mount: '/', size: 1e9, used: 5e8 }],
    net: { rxBps: 100, txBps: 100 },
    uptimeSec: 1000,
    processes: 100,
  })
const t1 = performance.now()
const ROUNDS = 5
await Promise.all(
  clients.map(async (client, i) => {
    const id = creds[i]?.id ?? ''
    for (let r = 0; r < ROUNDS; r++)
      await client.publishAsync(topics.device(id, 'telemetry'), sample(r), { qos: 1 })
  }),
)
const expected = N * ROUNDS
for (;;) {
  const m = await metrics.messages.get()
  const count = m.values.find((v) => v.labels.kind === 'telemetry')?.value ?? 0
  if (count >= expected) break
  await new Promise((r) => setTimeout(r, 10))
}
const ingestMs = performance.now() - t1
loop.disable()
const hist = await metrics.ingestLatency.get()
const buckets = hist.values.filter((v) => v.metricName === 'vigil_ingest_duration_seconds_bucket')
const p99Bucket = (
  buckets.find((b) => b.value >= expected * 0.99)?.labels as { le?: string | number } | undefined
)?.le
await hub.app.hub.store.flush()
const result = {
  devices: N,
  connectAllMs: Math.round(connectMs),
  telemetryMessages: expected,
  ingestPerSec: Math.round(expected / (ingestMs / 1000)),
  ingestP99UpperBoundSec: p99Bucket,
  eventLoopDelayMaxMs: Math.round(loop.max / 1e5) / 10,
  storeLastFlushMs: Math.round(hub.app.hub.store.stats().lastFlushMs),
}
console.log(JSON.stringify(result))
for (const c of clients) c.end(true)
await hub.close()
await rm(dir, { recursive: true, force: true })
