/**
 * Ingest throughput: the same load processes (200 device connections, 1 KB telemetry, QoS 1, a window
 * of 10 unacknowledged messages each) first against a bare aedes broker with an in-process subscriber,
 * then against the real hub. Figures are messages processed per second in the same measurement window:
 * the bare subscriber's count, and the hub's `vigil_mqtt_messages_total{kind="telemetry"}`.
 */

import type { BenchContext, Section } from '../lib/context.ts'
import { prepareFleet } from '../lib/fleet.ts'
import { startHubProcess } from '../lib/hub.ts'
import type { ClientSpec } from '../lib/mqtt-clients.ts'
import { cpuSeconds, startWorker, type Worker } from '../lib/proc.ts'
import { round, sleep } from '../lib/stats.ts'

const LOAD_PROCESSES = 2

interface Load {
  workers: Worker[]
  go(): void
  halt(): void
  acked(): Promise<number>
  stop(): Promise<void>
}

async function startLoad(url: string, clients: ClientSpec[], topic: 'device' | 'bare'): Promise<Load> {
  const per = Math.ceil(clients.length / LOAD_PROCESSES)
  const workers = Array.from({ length: LOAD_PROCESSES }, (_, i) =>
    startWorker('publisher', {
      url,
      clients: clients.slice(i * per, (i + 1) * per),
      mode: 'saturate',
      qos: 1,
      window: 10,
      topic,
    }),
  )
  const stop = () => Promise.all(workers.map((w) => w.stop())).then(() => {})
  try {
    await Promise.all(workers.map((w) => w.next('ready', 120_000)))
  } catch (err) {
    await stop()
    throw err
  }
  return {
    workers,
    go: () => {
      for (const w of workers) w.send({ type: 'go' })
    },
    halt: () => {
      for (const w of workers) w.send({ type: 'halt' })
    },
    async acked() {
      const counts = await Promise.all(
        workers.map((w) => {
          w.send({ type: 'count' })
          return w.next<{ type: string; acked: number }>('count')
        }),
      )
      return counts.reduce((n, c) => n + c.acked, 0)
    },
    stop,
  }
}

/** Runs `load` for warmup + window and answers (processed, acked) per second over the window. */
async function measure(ctx: BenchContext, load: Load, processed: () => Promise<number>, pid: number) {
  load.go()
  await sleep(ctx.sizes.ingestWarmupSec * 1000)
  const [p0, a0, c0, t0] = [await processed(), await load.acked(), cpuSeconds(pid), performance.now()]
  await sleep(ctx.sizes.ingestSeconds * 1000)
  const [p1, a1, c1, t1] = [await processed(), await load.acked(), cpuSeconds(pid), performance.now()]
  load.halt()
  const secs = (t1 - t0) / 1000
  return { processed: (p1 - p0) / secs, acked: (a1 - a0) / secs, cpu: ((c1 - c0) / secs) * 100 }
}

const ROUNDS = { quick: 2, full: 3 }

export const ingest: Section = {
  name: 'ingest',
  async run(ctx) {
    const publishers = ctx.sizes.ingestPublishers
    const stops: (() => Promise<void>)[] = []
    try {
      // Bare broker: any client id, no credentials.
      // With --cpu-prof the bare broker is profiled too, so both brokers' profiles can be compared.
      const profile = ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`] : []
      const broker = startWorker('bare-broker', {}, profile)
      stops.push(() => broker.stop())
      const { port, pid: brokerPid } = await broker.next<{ type: string; port: number; pid: number }>('ready')
      const bareClients = Array.from({ length: publishers }, (_, i) => ({ id: `bench-${i}` }))
      const bareLoad = await startLoad(`mqtt://127.0.0.1:${port}`, bareClients, 'bare')
      stops.unshift(() => bareLoad.stop())
      const bareCount = async () => {
        broker.send({ type: 'count' })
        return (await broker.next<{ type: string; received: number }>('count')).received
      }

      // The real hub: enrolled devices; the per-device rate limit is raised so it does not cap the test.
      const fleet = await prepareFleet(ctx.sizes.fleet)
      const hub = await startHubProcess({
        template: fleet.template,
        env: { VIGIL_DEVICE_RATE_PER_SEC: '1000000', VIGIL_DEVICE_RATE_BURST: '1000000' },
        ...(ctx.cpuProfDir ? { cpuProfDir: ctx.cpuProfDir } : {}),
      })
      stops.push(() => hub.stop())
      const clients = fleet.devices.slice(0, publishers).map((d) => ({ id: d.id, password: d.password }))
      const hubLoad = await startLoad(hub.mqttUrl, clients, 'device')
      stops.unshift(() => hubLoad.stop())
      const hubCount = () => hub.metric('vigil_mqtt_messages_total', 'kind="telemetry"')

      // Alternating windows, so both brokers see the same (noisy) machine; the best window of each counts.
      const bare: Awaited<ReturnType<typeof measure>>[] = []
      const hubs: Awaited<ReturnType<typeof measure>>[] = []
      let loopMaxMs = 0
      for (let r = 0; r < ROUNDS[ctx.mode]; r++) {
        bare.push(await measure(ctx, bareLoad, bareCount, brokerPid))
        await hub.takeLoopMaxMs()
        hubs.push(await measure(ctx, hubLoad, hubCount, hub.pid))
        loopMaxMs = Math.max(loopMaxMs, await hub.takeLoopMaxMs())
        ctx.log(
          `  round ${r + 1}: bare ${Math.round(bare[r]?.processed ?? 0)} msg/s, hub ${Math.round(hubs[r]?.processed ?? 0)} msg/s`,
        )
      }
      const best = (xs: Awaited<ReturnType<typeof measure>>[]) =>
        xs.reduce((a, b) => (b.processed > a.processed ? b : a))
      const b = best(bare)
      const h = best(hubs)
      return {
        hubMsgsPerSec: Math.round(h.processed),
        bareBrokerMsgsPerSec: Math.round(b.processed),
        ratio: round(h.processed / b.processed, 3),
        roundRatios: hubs.map((x, i) => round(x.processed / (bare[i]?.processed ?? Number.NaN), 2)),
        publishers,
        payloadBytes: 974,
        qos: 1,
        hubAckedPerSec: Math.round(h.acked),
        bareAckedPerSec: Math.round(b.acked),
        hubCpuPercent: round(h.cpu),
        bareCpuPercent: round(b.cpu),
        hubMicrosPerMsg: round((h.cpu / 100 / h.processed) * 1e6),
        bareMicrosPerMsg: round((b.cpu / 100 / b.processed) * 1e6),
        // CPU cost per message, bare / hub: what the ratio would be with a core each (robust to a busy machine).
        cpuCostRatio: round(b.cpu / b.processed / (h.cpu / h.processed), 3),
        hubEventLoopMaxMs: round(loopMaxMs),
        hubRejected: await hub.metric('vigil_mqtt_rejected_total'),
      }
    } finally {
      for (const stop of stops) await stop()
    }
  },
}
