/**
 * Two parts of the `cluster` section (issue 13, "Done when"):
 * - `devicesOnline`: N devices (10,000 full) connect to Mosquitto the way the agent does (retained will,
 *   retained QoS 1 birth), two load processes with 100 handshakes in flight each; the time until each
 *   hub lists them all online (`GET /api/v1/devices?online=true&name=bench-online-`), bounded.
 * - `crossHubLatency`: a cluster whose only slot is held by hub A (`VIGIL_HUB_SLOTS=1`, A started
 *   first), so A ingests every message, and a dashboard on hub B: agent → dashboard latency of samples
 *   that reach B only through the hubs' relay.
 */
import type { BenchContext } from '../lib/context.ts'
import type { HubProcess } from '../lib/hub.ts'
import { startWorker, type Worker } from '../lib/proc.ts'
import { round, sleep, waitFor } from '../lib/stats.ts'

const PROCESSES = 2

export async function devicesOnline(
  hubs: HubProcess[],
  brokerUrl: string,
  count: number,
  timeoutMs: number,
  stops: (() => Promise<unknown>)[],
) {
  const devices = Array.from({ length: count }, (_, n) => ({ n, id: `bench-online-${n}` }))
  const per = Math.ceil(count / PROCESSES)
  const workers: Worker[] = Array.from({ length: PROCESSES }, (_, i) =>
    startWorker('connector', {
      url: brokerUrl,
      devices: devices.slice(i * per, (i + 1) * per),
      images: 50,
      concurrency: 100,
      answerCommands: false,
    }),
  )
  stops.unshift(() => Promise.all(workers.map((w) => w.stop(10_000))))
  const started = performance.now()
  const seconds: (number | null)[] = hubs.map(() => null)
  const online: number[] = hubs.map(() => 0)
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && seconds.some((s) => s === null)) {
    for (const [i, hub] of hubs.entries()) {
      if (seconds[i] !== null) continue
      online[i] = (
        await hub.api<{ total: number }>('GET', '/api/v1/devices?online=true&name=bench-online-&limit=1')
      ).total
      if (online[i] >= count) seconds[i] = round((performance.now() - started) / 1000, 2)
    }
    // The list sorts the whole fleet: one probe a second per hub costs the hubs little.
    await sleep(1000)
  }
  const connected = await Promise.all(
    workers.map((w) => w.next<{ type: string; connected: number; failed: number }>('connected', 60_000)),
  ).catch(() => [])
  await Promise.all(workers.map((w) => w.stop(30_000)))
  return {
    devices: count,
    allOnlineSecondsPerHub: seconds,
    onlinePerHubAtEnd: online,
    clientsConnected: connected.reduce((n, c) => n + c.connected, 0),
    clientsFailed: connected.reduce((n, c) => n + c.failed, 0),
    boundSeconds: timeoutMs / 1000,
  }
}

export async function crossHubLatency(
  ctx: BenchContext,
  start: (name: string, env: Record<string, string>) => Promise<HubProcess>,
  startLoad: (ids: string[], opts: Record<string, unknown>) => Worker[],
  stops: (() => Promise<unknown>)[],
) {
  // Its own share group: the first cluster's slot sessions are left behind in another group.
  const env = { VIGIL_HUB_SLOTS: '1', VIGIL_MQTT_SHARE_GROUP: 'bench-cross-hub' }
  const a = await start('xa', env)
  if (!(await waitFor(async () => (await a.metric('vigil_hub_slots_held')) === 1, 30_000, 200)))
    throw new Error('hub A did not take the only slot')
  const b = await start('xb', env)
  await sleep(3000) // B's rounds ran: it found no free slot
  const bSlots = await b.metric('vigil_hub_slots_held')
  if (bSlots !== 0) throw new Error(`hub B holds ${bSlots} slots; the cross-hub figure needs 0`)
  const ids = Array.from({ length: ctx.sizes.ingestPublishers }, (_, i) => `bench-xhub-${i}`)
  const rate = Math.min(ctx.sizes.latencyRate, 1000)
  const load = startLoad(ids, { mode: 'rate', qos: 0, rate: rate / PROCESSES, topic: 'device' })
  stops.unshift(() => Promise.all(load.map((w) => w.stop())))
  await Promise.all(load.map((w) => w.next('ready', 120_000)))
  for (const w of load) w.send({ type: 'go' })
  // B knows the devices A adopted from their first message (the change feed), then its dashboard asks.
  const probes = ids.slice(0, 50)
  const known = await waitFor(
    async () => {
      const found = await Promise.all(
        probes.map((id) =>
          b.api('GET', `/api/v1/devices/${id}`).then(
            () => true,
            () => false,
          ),
        ),
      )
      return found.every(Boolean)
    },
    60_000,
    500,
  )
  if (!known) throw new Error('hub B did not learn the devices hub A adopted')
  const dash = startWorker('dashboard-client', { url: b.httpUrl, token: b.token, probes })
  stops.unshift(() => dash.stop())
  await dash.next('ready', 60_000)
  await sleep(1000) // B's watch of the probes announced to A
  dash.send({ type: 'mark' })
  await sleep(ctx.sizes.latencySeconds * 1000)
  dash.send({ type: 'collect' })
  const r = await dash.next<{ type: string; p50: number; p99: number; samples: number }>('latency', 30_000)
  for (const w of load) w.send({ type: 'halt' })
  const ingestedByB = await b.metric('vigil_mqtt_messages_total', 'kind="telemetry"')
  return {
    rateMsgsPerSec: rate,
    p50Ms: r.p50,
    p99Ms: r.p99,
    samples: r.samples,
    telemetryIngestedByB: ingestedByB,
  }
}
