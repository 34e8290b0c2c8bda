/**
 * Latency under load: load processes publish telemetry at a fixed total rate (open loop, at the
 * protocol's telemetry QoS) from `latencyDevices` enrolled devices against the real hub with its default
 * limits; a dashboard client in its own process subscribes to probe devices over socket.io and measures
 * publish → `device:telemetry` for every sample it receives.
 */
import { DEVICE_MESSAGES } from '@vigil/protocol'
import type { Section } from '../lib/context.ts'
import { prepareFleet } from '../lib/fleet.ts'
import { startHubProcess } from '../lib/hub.ts'
import { startWorker, type Worker } from '../lib/proc.ts'
import { round, sleep } from '../lib/stats.ts'

const LOAD_PROCESSES = 2
const PROBES = 50
/** QoS 1 events timed publish → PUBACK during the window, from devices outside the telemetry load. */
const PUBACK_DEVICES = 50
const PUBACK_RATE = 50

interface LatencyReport {
  type: string
  samples: number
  p50: number
  p90: number
  p99: number
  max: number
  deltas: number
}

export interface PubackReport {
  type: string
  samples: number
  failed: number
  /** Sent and not (yet) acknowledged when the report was taken. */
  unacked: number
  p50: number
  p99: number
  max: number
}

/**
 * A PUBACK figure, or NaN (judged as missing, never as a pass) when no PUBACK arrived in the window:
 * NaN crosses the worker's IPC as null.
 */
export function ackMs(r: PubackReport, key: 'p50' | 'p99' | 'max'): number {
  const v = r[key]
  return r.samples > 0 && typeof v === 'number' ? round(v) : Number.NaN
}

export const latency: Section = {
  name: 'latency',
  async run(ctx) {
    const { latencyDevices: count, latencyRate: rate, latencySeconds } = ctx.sizes
    const fleet = await prepareFleet(ctx.sizes.fleet)
    const hub = await startHubProcess({
      template: fleet.template,
      ...(ctx.cpuProfDir ? { cpuProfDir: ctx.cpuProfDir } : {}),
    })
    const workers: Worker[] = []
    try {
      const devices = fleet.devices.slice(0, count)
      const dash = startWorker('dashboard-client', {
        url: hub.httpUrl,
        token: hub.token,
        probes: devices.slice(0, PROBES).map((d) => d.id),
      })
      workers.push(dash)
      await dash.next('ready')
      const per = Math.ceil(devices.length / LOAD_PROCESSES)
      for (let i = 0; i < LOAD_PROCESSES; i++) {
        workers.push(
          startWorker('publisher', {
            url: hub.mqttUrl,
            clients: devices.slice(i * per, (i + 1) * per).map((d) => ({ id: d.id, password: d.password })),
            mode: 'rate',
            qos: DEVICE_MESSAGES.telemetry.qos,
            rate: rate / LOAD_PROCESSES,
            topic: 'device',
          }),
        )
      }
      const loads = workers.slice(1)
      const ackProbe = startWorker('publisher', {
        url: hub.mqttUrl,
        clients: fleet.devices.slice(-PUBACK_DEVICES).map((d) => ({ id: d.id, password: d.password })),
        mode: 'puback',
        kind: 'event',
        qos: 1,
        rate: PUBACK_RATE,
      })
      workers.push(ackProbe)
      await Promise.all([...loads, ackProbe].map((w) => w.next('ready', 120_000)))
      for (const w of [...loads, ackProbe]) w.send({ type: 'go' })
      await sleep(3000)
      dash.send({ type: 'mark' })
      ackProbe.send({ type: 'mark' })
      // A saturated hub may not answer /metrics in time: the figure is then missing, not the section.
      const telemetryCount = () =>
        hub.metric('vigil_mqtt_messages_total', 'kind="telemetry"').catch(() => Number.NaN)
      const m0 = await telemetryCount()
      await hub.takeLoopMaxMs().catch(() => Number.NaN)
      const t0 = performance.now()
      await sleep(latencySeconds * 1000)
      const m1 = await telemetryCount()
      const t1 = performance.now()
      const loopMax = await hub.takeLoopMaxMs().catch(() => Number.NaN)
      const counts = await Promise.all(
        loads.map((w) => {
          w.send({ type: 'count' })
          return w.next<{ type: string; sent: number; skipped: number }>('count', 30_000)
        }),
      )
      const sentInWindow = counts.reduce((n, c) => n + c.sent, 0)
      dash.send({ type: 'collect' })
      const r = await dash.next<LatencyReport>('latency', 30_000)
      ackProbe.send({ type: 'puback' })
      const ack = await ackProbe.next<PubackReport>('puback', 30_000)
      ackProbe.send({ type: 'halt' })
      for (const w of loads) w.send({ type: 'halt' })
      const throttled = await hub.metric('vigil_mqtt_throttled_total').catch(() => Number.NaN)
      return {
        rateMsgsPerSec: Math.round((m1 - m0) / ((t1 - t0) / 1000)),
        offeredMsgsPerSec: rate,
        loadSkippedSends: counts.reduce((n, c) => n + c.skipped, 0),
        loadSentTotal: sentInWindow,
        metricsAnswered: Number.isFinite(m0) && Number.isFinite(m1),
        p50Ms: r.p50,
        p90Ms: r.p90,
        p99Ms: r.p99,
        maxMs: r.max,
        pubackP50Ms: ackMs(ack, 'p50'),
        pubackP99Ms: ackMs(ack, 'p99'),
        pubackMaxMs: ackMs(ack, 'max'),
        pubackSamples: ack.samples,
        pubackFailed: ack.failed,
        pubackUnacked: ack.unacked,
        pubackProbe: `QoS 1 events, ${PUBACK_RATE}/s from ${PUBACK_DEVICES} other devices`,
        samples: r.samples,
        devices: count,
        probes: PROBES,
        qos: DEVICE_MESSAGES.telemetry.qos,
        fleetDeltasPerSec: round(r.deltas / latencySeconds),
        hubEventLoopMaxMs: round(loopMax),
        hubThrottled: throttled,
        hubRssMB: round(hub.rssMB()),
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()))
      await hub.stop()
    }
  },
}
