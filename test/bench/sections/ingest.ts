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

export const ingest: Section = {
  name: 'ingest',
  async run(ctx) {
    const publishers = ctx.sizes.ingestPublishers
    // Bare broker: any client id, no credentials.
    const broker = startWorker('bare-broker', {})
    let bare: Awaited<ReturnType<typeof measure>>
    try {
      const { port, pid } = await broker.next<{ type: string; port: number; pid: number }>('ready')
      const clients = Array.from({ length: publishers }, (_, i) => ({ id: `bench-${i}` }))
      const load = await startLoad(`mqtt://127.0.0.1:${port}`, clients, 'bare')
      try {
        bare = await measure(
          ctx,
          load,
          async () => {
            broker.send({ type: 'count' })
            return (await broker.next<{ type: string; received: number }>('count')).received
          },
          pid,
        )
      } finally {
        await load.stop()
      }
    } finally {
      await broker.stop()
    }
    ctx.log(`  bare aedes: ${Math.round(bare.processed)} msg/s`)

    // The real hub: enrolled devices; the per-device rate limit is raised so it does not cap the test.
    const fleet = await prepareFleet(ctx.sizes.fleet)
    const hub = await startHubProcess({
      template: fleet.template,
      env: { VIGIL_DEVICE_RATE_PER_SEC: '1000000', VIGIL_DEVICE_RATE_BURST: '1000000' },
      ...(ctx.cpuProfDir ? { cpuProfDir: ctx.cpuProfDir } : {}),
    })
    let hubFig: Awaited<ReturnType<typeof measure>>
    let rejected = 0
    let loopMaxMs = 0
    try {
      const clients = fleet.devices.slice(0, publishers).map((d) => ({ id: d.id, password: d.password }))
      const load = await startLoad(hub.mqttUrl, clients, 'device')
      try {
        await hub.takeLoopMaxMs()
        hubFig = await measure(
          ctx,
          load,
          () => hub.metric('vigil_mqtt_messages_total', 'kind="telemetry"'),
          hub.pid,
        )
        loopMaxMs = await hub.takeLoopMaxMs()
        rejected = await hub.metric('vigil_mqtt_rejected_total')
      } finally {
        await load.stop()
      }
    } finally {
      await hub.stop()
    }
    ctx.log(`  hub: ${Math.round(hubFig.processed)} msg/s`)
    return {
      hubMsgsPerSec: Math.round(hubFig.processed),
      bareBrokerMsgsPerSec: Math.round(bare.processed),
      ratio: round(hubFig.processed / bare.processed, 3),
      publishers,
      payloadBytes: 974,
      qos: 1,
      hubAckedPerSec: Math.round(hubFig.acked),
      bareAckedPerSec: Math.round(bare.acked),
      hubCpuPercent: round(hubFig.cpu),
      bareCpuPercent: round(bare.cpu),
      hubMicrosPerMsg: round((hubFig.cpu / 100 / hubFig.processed) * 1e6),
      bareMicrosPerMsg: round((bare.cpu / 100 / bare.processed) * 1e6),
      // CPU cost per message, bare / hub: what the ratio would be with a core each (robust to a busy machine).
      cpuCostRatio: round(bare.cpu / bare.processed / (hubFig.cpu / hubFig.processed), 3),
      hubEventLoopMaxMs: round(loopMaxMs),
      hubRejected: rejected,
    }
  },
}
