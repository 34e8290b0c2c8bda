/**
 * The cluster (issue 13): 2 hub processes on one PostgreSQL, device traffic through Mosquitto (hub
 * slots), against a bare aedes with the same load. Figures: messages the hubs stored per second (sum of
 * both hubs' `vigil_mqtt_messages_total{kind="telemetry"}`) and the ratio to the bare broker; the CPU
 * each process spent per message (hub A, hub B, mosquitto, postgres with its backends, from
 * /proc/<pid>/stat); then agent → dashboard latency with a dashboard on each hub; then N devices coming
 * online across the hubs and the cross-hub latency (`cluster-scale.ts`).
 * Mosquitto is anonymous on loopback (the bench measures traffic, not credentials); the hubs adopt the
 * load's devices from their first message.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PG_BIN, startPostgres } from '../../../hub/test/postgres.ts'
import { type BenchContext, type Section, Skip } from '../lib/context.ts'
import { freePort, type HubProcess, startHubProcess } from '../lib/hub.ts'
import { cpuSeconds, startWorker, type Worker } from '../lib/proc.ts'
import { round, sleep, waitFor } from '../lib/stats.ts'
import { bulkTransition } from './cluster-bulk.ts'
import { crossHubLatency, devicesOnline } from './cluster-scale.ts'

const MOSQUITTO = '/usr/sbin/mosquitto'
const SLOTS = 8
const LOAD_PROCESSES = 2
const PROBES = 50

async function startMosquitto(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-mosquitto-'))
  const port = await freePort()
  await writeFile(
    join(dir, 'mosquitto.conf'),
    [
      'user root',
      'persistence false',
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'max_queued_messages 10000000',
      'max_inflight_messages 100',
      'log_dest stderr',
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let log = ''
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000)
      if (log.includes('running')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${log}`)))
  })
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await gone
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** CPU seconds of a process and its live children (PostgreSQL: the postmaster and its backends). */
function treeCpuSeconds(root: number): number {
  let sum = cpuSeconds(root)
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === root) sum += cpuSeconds(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return sum
}

function startLoad(url: string, ids: string[], opts: Record<string, unknown>): Worker[] {
  const per = Math.ceil(ids.length / LOAD_PROCESSES)
  return Array.from({ length: LOAD_PROCESSES }, (_, i) =>
    startWorker('publisher', {
      url,
      clients: ids.slice(i * per, (i + 1) * per).map((id) => ({ id })),
      ...opts,
    }),
  )
}

type Cpu = Record<string, () => number>

/** Over one window: processed/s, and CPU µs per processed message for each process. */
async function measureWindow(ctx: BenchContext, load: Worker[], processed: () => Promise<number>, cpu: Cpu) {
  for (const w of load) w.send({ type: 'go' })
  await sleep(ctx.sizes.ingestWarmupSec * 1000)
  const c0 = Object.fromEntries(Object.entries(cpu).map(([k, f]) => [k, f()]))
  const [p0, t0] = [await processed(), performance.now()]
  await sleep(ctx.sizes.ingestSeconds * 1000)
  const [p1, t1] = [await processed(), performance.now()]
  const c1 = Object.fromEntries(Object.entries(cpu).map(([k, f]) => [k, f()]))
  for (const w of load) w.send({ type: 'halt' })
  const n = p1 - p0
  const micros = Object.fromEntries(
    Object.keys(cpu).map((k) => [k, round((((c1[k] ?? 0) - (c0[k] ?? 0)) / Math.max(1, n)) * 1e6)]),
  )
  return { perSec: n / ((t1 - t0) / 1000), micros }
}

export const cluster: Section = {
  name: 'cluster',
  async run(ctx) {
    if (!existsSync(MOSQUITTO) || !existsSync(join(PG_BIN, 'initdb')))
      throw new Skip(`needs ${MOSQUITTO} and PostgreSQL 15 (${PG_BIN})`)
    const stops: (() => Promise<unknown>)[] = []
    try {
      const pg = await startPostgres()
      stops.push(() => pg.stop())
      const postmaster = Number(readFileSync(join(pg.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0])
      const databaseUrl = await pg.createDatabase()
      const broker = await startMosquitto()
      stops.push(() => broker.stop())
      const startHub = async (name: string, env: Record<string, string> = {}) => {
        const hub = await startHubProcess({
          env: {
            VIGIL_DATABASE_URL: env.VIGIL_DATABASE_URL ?? databaseUrl,
            VIGIL_MQTT_URL: broker.url,
            VIGIL_MQTT_CLIENT_ID: `bench-hub-${name}`,
            VIGIL_HUB_SLOTS: String(SLOTS),
            VIGIL_DEVICE_RATE_PER_SEC: '1000000',
            VIGIL_DEVICE_RATE_BURST: '1000000',
            ...env,
          },
        })
        stops.unshift(() => hub.stop())
        return hub
      }
      const hubs: HubProcess[] = [await startHub('a'), await startHub('b')]
      const [a, b] = hubs as [HubProcess, HubProcess]
      const split = await waitFor(
        async () =>
          (await a.metric('vigil_hub_slots_held')) === SLOTS / 2 &&
          (await b.metric('vigil_hub_slots_held')) === SLOTS / 2,
        30_000,
        200,
      )
      if (!split) throw new Error('the hubs did not split the slots 4/4')
      const stored = async () =>
        (await a.metric('vigil_mqtt_messages_total', 'kind="telemetry"')) +
        (await b.metric('vigil_mqtt_messages_total', 'kind="telemetry"'))

      // The bare broker first (the cluster's backlog would otherwise compete with it), same load code.
      const bare = startWorker('bare-broker', {})
      stops.unshift(() => bare.stop())
      const { port, pid: barePid } = await bare.next<{ type: string; port: number; pid: number }>('ready')
      const ids = Array.from({ length: ctx.sizes.ingestPublishers }, (_, i) => `bench-dev-${i}`)
      const saturate = { mode: 'saturate', qos: 1, window: 10 }
      const bareLoad = startLoad(`mqtt://127.0.0.1:${port}`, ids, { ...saturate, topic: 'bare' })
      stops.unshift(() => Promise.all(bareLoad.map((w) => w.stop())))
      await Promise.all(bareLoad.map((w) => w.next('ready', 120_000)))
      const bareCount = async () => {
        bare.send({ type: 'count' })
        return (await bare.next<{ type: string; received: number }>('count')).received
      }
      const bareRun = await measureWindow(ctx, bareLoad, bareCount, { bare: () => cpuSeconds(barePid) })
      ctx.log(`  bare aedes ${Math.round(bareRun.perSec)} msg/s`)
      await Promise.all(bareLoad.map((w) => w.stop()))

      const load = startLoad(broker.url, ids, { ...saturate, topic: 'device' })
      stops.unshift(() => Promise.all(load.map((w) => w.stop())))
      await Promise.all(load.map((w) => w.next('ready', 120_000)))
      const cpu: Cpu = {
        hubA: () => cpuSeconds(a.pid),
        hubB: () => cpuSeconds(b.pid),
        mosquitto: () => cpuSeconds(broker.pid),
        postgres: () => treeCpuSeconds(postmaster),
      }
      const run = await measureWindow(ctx, load, stored, cpu)
      ctx.log(`  cluster ${Math.round(run.perSec)} msg/s stored by 2 hubs`)
      // The broker acknowledges at once; the hubs drain what it queued before the latency part.
      let last = -1
      await waitFor(
        async () => {
          const now = await stored()
          const still = now === last
          last = now
          return still
        },
        120_000,
        1000,
      )
      await Promise.all(load.map((w) => w.stop()))

      // QoS 1 events at a fixed rate, each one a database write (telemetry is kept in memory): what a
      // stored message costs each process, PostgreSQL included.
      const eventRate = 1000
      const eventLoad = startLoad(broker.url, ids, {
        mode: 'puback',
        kind: 'event',
        qos: 1,
        rate: eventRate / LOAD_PROCESSES,
      })
      stops.unshift(() => Promise.all(eventLoad.map((w) => w.stop())))
      await Promise.all(eventLoad.map((w) => w.next('ready', 120_000)))
      const storedEvents = async () =>
        (await a.metric('vigil_mqtt_messages_total', 'kind="event"')) +
        (await b.metric('vigil_mqtt_messages_total', 'kind="event"'))
      const events = await measureWindow(ctx, eventLoad, storedEvents, cpu)
      ctx.log(`  events ${Math.round(events.perSec)}/s stored (offered ${eventRate}/s)`)
      await Promise.all(eventLoad.map((w) => w.stop()))

      // Agent → dashboard: telemetry at a fixed rate; a dashboard on each hub subscribed to the probes
      // (each sample reaches the dashboard of the hub that holds its slot).
      const rate = Math.min(ctx.sizes.latencyRate, 2000)
      const rateLoad = startLoad(broker.url, ids, {
        mode: 'rate',
        qos: 0,
        rate: rate / LOAD_PROCESSES,
        topic: 'device',
      })
      stops.unshift(() => Promise.all(rateLoad.map((w) => w.stop())))
      await Promise.all(rateLoad.map((w) => w.next('ready', 120_000)))
      for (const w of rateLoad) w.send({ type: 'go' })
      await sleep(3000) // both hubs have seen (adopted) every device
      const dashes = hubs.map((h) =>
        startWorker('dashboard-client', { url: h.httpUrl, token: h.token, probes: ids.slice(0, PROBES) }),
      )
      stops.unshift(() => Promise.all(dashes.map((d) => d.stop())))
      await Promise.all(dashes.map((d) => d.next('ready', 60_000)))
      for (const d of dashes) d.send({ type: 'mark' })
      await sleep(ctx.sizes.latencySeconds * 1000)
      const reports = await Promise.all(
        dashes.map((d) => {
          d.send({ type: 'collect' })
          return d.next<{ type: string; p50: number; p99: number; samples: number }>('latency', 30_000)
        }),
      )
      for (const w of rateLoad) w.send({ type: 'halt' })
      await Promise.all([...rateLoad, ...dashes].map((w) => w.stop()))
      ctx.log(
        `  agent → dashboard p99 ${Math.max(...reports.map((r) => r.p99))} ms (a dashboard on each hub)`,
      )

      // N devices coming online across the two hubs (10,000 full), then a cluster where only hub A
      // ingests and the dashboard is on hub B (cross-hub latency).
      const online = await devicesOnline(
        hubs,
        broker.url,
        ctx.sizes.connections,
        ctx.mode === 'quick' ? 60_000 : 180_000,
        stops,
      )
      ctx.log(
        `  ${online.devices} devices online after ${online.allOnlineSecondsPerHub.join(' / ')} s (hub A / B)`,
      )
      // 1,000 open findings, moved in one bulk transition through hub B.
      const bulk = await bulkTransition([a, b], broker.url, ctx.sizes.images, stops)
      ctx.log(`  bulk transition of ${bulk.bulkUpdated} findings through hub B: ${bulk.bulkTransitionMs} ms`)
      await Promise.all(hubs.map((h) => h.stop()))
      // A database and a broker of their own: the hubs start without the devices above. Mosquitto
      // 2.0.11 hands retained messages to a new shared subscription too: on the same broker, hub A
      // would first adopt the 10,000 devices whose retained births it holds (and B follow them) before
      // the devices measured here (the full run's "hub B did not learn the devices" within 60 s).
      const crossDb = await pg.createDatabase()
      const crossBroker = await startMosquitto()
      stops.push(() => crossBroker.stop())
      const crossHub = await crossHubLatency(
        ctx,
        (name, env) =>
          startHub(name, { ...env, VIGIL_DATABASE_URL: crossDb, VIGIL_MQTT_URL: crossBroker.url }),
        (ids, o) => startLoad(crossBroker.url, ids, o),
        stops,
      )
      ctx.log(`  cross-hub agent → dashboard p99 ${crossHub.p99Ms} ms`)
      const micros = run.micros
      const total = Object.values(micros).reduce((s, x) => s + x, 0)
      return {
        clusterMsgsPerSec: Math.round(run.perSec),
        bareBrokerMsgsPerSec: Math.round(bareRun.perSec),
        ratio: round(run.perSec / bareRun.perSec, 3),
        hubs: 2,
        slots: SLOTS,
        publishers: ids.length,
        qos: 1,
        microsPerMsg: { ...micros, total: round(total) },
        bareMicrosPerMsg: bareRun.micros.bare,
        // Per message over every process, bare / cluster: the ratio with a core per process.
        cpuCostRatio: round((bareRun.micros.bare ?? 0) / Math.max(1e-9, total), 3),
        eventsOfferedPerSec: eventRate,
        eventsStoredPerSec: Math.round(events.perSec),
        eventMicrosPerMsg: events.micros,
        latencyRateMsgsPerSec: rate,
        latencyP50Ms: reports.map((r) => r.p50),
        latencyP99Ms: Math.max(...reports.map((r) => r.p99)),
        latencySamples: reports.map((r) => r.samples),
        devicesOnline: online,
        crossHubLatency: crossHub,
        bulkTransition: bulk,
        bulkTransitionMs: bulk.bulkTransitionMs,
      }
    } finally {
      for (const stop of stops) await stop().catch(() => undefined)
    }
  },
}
