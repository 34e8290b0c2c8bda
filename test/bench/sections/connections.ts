/**
 * Connection storm: `connections` enrolled devices connect at once (two processes, 100 handshakes in
 * flight each) the way the agent does — credentials, retained will, retained birth with identity and the
 * inventory hash of one of 50 gateway images — and answer the hub's `send-inventory` requests. Measured:
 * time until the hub lists every device online (`GET /api/v1/devices?online=true`), and the hub's RSS
 * once the inventories it asked for have arrived.
 */
import type { Section } from '../lib/context.ts'
import { prepareFleet } from '../lib/fleet.ts'
import { type HubProcess, settle, startHubProcess } from '../lib/hub.ts'
import { startWorker, type Worker } from '../lib/proc.ts'
import { round, sleep } from '../lib/stats.ts'

const PROCESSES = 2

export async function connectFleet(
  hub: HubProcess,
  devices: { n: number; id: string; password: string }[],
  opts: { images: number; answerCommands: boolean; telemetryEverySec?: number; timeoutMs: number },
) {
  const per = Math.ceil(devices.length / PROCESSES)
  const workers: Worker[] = Array.from({ length: PROCESSES }, (_, i) =>
    startWorker('connector', {
      url: hub.mqttUrl,
      devices: devices.slice(i * per, (i + 1) * per),
      images: opts.images,
      concurrency: 100,
      answerCommands: opts.answerCommands,
      ...(opts.telemetryEverySec ? { telemetryEverySec: opts.telemetryEverySec } : {}),
    }),
  )
  const started = performance.now()
  let online = 0
  let peakRss = 0
  const deadline = Date.now() + opts.timeoutMs
  while (Date.now() < deadline) {
    const r = await hub.api<{ total: number }>('GET', '/api/v1/devices?online=true&limit=1')
    online = r.total
    peakRss = Math.max(peakRss, hub.rssMB())
    if (online >= devices.length) break
    // The list endpoint sorts the whole fleet: poll once a second so the probe costs the hub little.
    await sleep(1000)
  }
  const allOnlineSeconds = online >= devices.length ? (performance.now() - started) / 1000 : Number.NaN
  const connected = await Promise.all(
    workers.map((w) =>
      w.next<{ type: string; connected: number; failed: number; seconds: number }>('connected', 60_000),
    ),
  ).catch(() => [])
  return {
    workers,
    online,
    allOnlineSeconds,
    peakRss,
    clientsConnected: connected.reduce((n, c) => n + c.connected, 0),
    clientsFailed: connected.reduce((n, c) => n + c.failed, 0),
    clientSeconds: Math.max(0, ...connected.map((c) => c.seconds)),
  }
}

export const connections: Section = {
  name: 'connections',
  async run(ctx) {
    const count = ctx.sizes.connections
    const fleet = await prepareFleet(ctx.sizes.fleet)
    const hub = await startHubProcess({
      template: fleet.template,
      advisories: true,
      ...(ctx.cpuProfDir ? { cpuProfDir: ctx.cpuProfDir } : {}),
    })
    let workers: Worker[] = []
    try {
      const rssBefore = hub.rssMB()
      const c = await connectFleet(hub, fleet.devices.slice(0, count), {
        images: ctx.sizes.images,
        answerCommands: true,
        timeoutMs: 60_000,
      })
      workers = c.workers
      // Wait for the inventories the hub asked for (it asks every device whose hash it does not hold).
      let inventories = 0
      let stable = 0
      const started = performance.now()
      const deadline = Date.now() + (ctx.mode === 'quick' ? 30_000 : 120_000)
      while (Date.now() < deadline && stable < 3) {
        const n = await hub.metric('vigil_mqtt_messages_total', 'kind="inventory"')
        stable = n === inventories && n > 0 ? stable + 1 : 0
        inventories = n
        c.peakRss = Math.max(c.peakRss, hub.rssMB())
        await sleep(1000)
      }
      const inventorySeconds = (performance.now() - started) / 1000 - stable
      await settle(3000)
      return {
        devices: c.online,
        allOnlineSeconds: round(c.allOnlineSeconds, 2),
        hubRssMB: round(hub.rssMB()),
        attempted: count,
        clientsConnected: c.clientsConnected,
        clientsFailed: c.clientsFailed,
        clientsConnectedSeconds: round(c.clientSeconds, 2),
        inventoriesReceived: inventories,
        inventoriesSettledSeconds: round(inventorySeconds, 1),
        hubPeakRssMB: round(c.peakRss),
        hubRssBeforeMB: round(rssBefore),
        advisoriesInWatchedFolder: true,
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop(10_000)))
      await hub.stop()
    }
  },
}
