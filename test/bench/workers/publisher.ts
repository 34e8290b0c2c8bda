/**
 * Load client process: N MQTT device connections publishing telemetry, either as fast as the broker
 * acknowledges (`saturate`: QoS 1, a window of unacknowledged messages per client) or at a fixed total
 * rate (`rate`: open loop, the sample's `ts` is the send time so a dashboard client can measure latency).
 * The same process drives the hub and the bare broker.
 */
import { type Inventory, topics } from '@vigil/protocol'
import type { MqttClient } from 'mqtt'
import { buildImages, hashOf } from '../lib/images.ts'
import { type ClientSpec, closeAll, connectAll } from '../lib/mqtt-clients.ts'
import { telemetry } from '../lib/payloads.ts'
import { report, workerMain } from '../lib/proc.ts'
import { percentile } from '../lib/stats.ts'

interface Options {
  url: string
  clients: ClientSpec[]
  /**
   * `puback`: QoS 1 device messages (`kind`) at `rate`/s round-robin over the clients, each timed from
   * publish to its PUBACK (mqtt.js calls back on PUBACK; the hub sends it only after the commit).
   */
  mode: 'saturate' | 'rate' | 'puback'
  kind?: 'event' | 'inventory'
  qos: 0 | 1
  window?: number
  /** Messages per second for this process (rate mode). */
  rate?: number
  /** Topic per client: the device's telemetry topic (hub) or any topic (bare broker). */
  topic?: 'device' | 'bare'
}

workerMain<Options>(async (opts, onStop) => {
  const clients = await connectAll(opts.clients, { url: opts.url, concurrency: 50 })
  onStop(() => closeAll(clients))
  const topicOf = (spec: ClientSpec) =>
    opts.topic === 'bare' ? `bench/${spec.id}/telemetry` : topics.device(spec.id, 'telemetry')
  const targets = clients.map((c, i) => ({ c, topic: topicOf(opts.clients[i] as ClientSpec) }))
  let acked = 0
  let sent = 0
  let errors = 0
  let skipped = 0
  let running = false
  report({ type: 'ready', clients: clients.length })

  const payload = Buffer.from(JSON.stringify(telemetry()))
  const saturate = (target: { c: MqttClient; topic: string }) => {
    const one = () => {
      if (!running) return
      sent++
      target.c.publish(target.topic, payload, { qos: opts.qos }, (err) => {
        if (err) errors++
        else acked++
        one()
      })
    }
    for (let i = 0; i < (opts.window ?? 10); i++) one()
  }

  let timer: NodeJS.Timeout | undefined
  const rate = () => {
    const perTick = (opts.rate ?? 1000) / 100
    let credit = 0
    let k = 0
    let last = performance.now()
    timer = setInterval(() => {
      const now = performance.now()
      credit += (perTick * (now - last)) / 10
      last = now
      // Open loop, but bounded: a client whose socket still holds 64 KB unsent skips its turn (the
      // broker is not keeping up); skipped sends are counted, so offered and achieved rates can differ.
      credit = Math.min(credit, perTick * 10)
      while (credit >= 1) {
        credit--
        const t = targets[k++ % targets.length]
        if (!t) break
        if ((t.c.stream?.writableLength ?? 0) > 65_536) {
          skipped++
          continue
        }
        sent++
        t.c.publish(t.topic, JSON.stringify(telemetry()), { qos: opts.qos }, (err) => {
          if (err) errors++
          else acked++
        })
      }
    }, 10)
  }

  // PUBACK latency of QoS 1 messages: events (small, appended to the event log) or inventories (a
  // distinct ~720-package content per message, so every one is a new content-addressed blob).
  const pubackMs: number[] = []
  let pubackFailed = 0
  const base = opts.kind === 'inventory' ? buildImages(1)[0] : undefined
  const message = (n: number): string => {
    if (base) {
      const content = { firmwareVersion: `bench-${process.pid}-${n}`, os: base.os, packages: base.packages }
      const inv: Inventory = { v: 1, ts: new Date().toISOString(), hash: hashOf(content), ...content }
      return JSON.stringify(inv)
    }
    const ts = new Date().toISOString()
    return JSON.stringify({
      v: 1,
      id: `b${process.pid}x${n}`,
      ts,
      kind: 'info',
      message: 'bench puback probe',
    })
  }
  const puback = () => {
    const perTick = (opts.rate ?? 10) / 100
    let credit = 0
    let n = 0
    timer = setInterval(() => {
      credit += perTick
      while (credit >= 1) {
        credit--
        const spec = opts.clients[n % clients.length] as ClientSpec
        const c = clients[n % clients.length] as MqttClient
        const body = message(n++)
        const started = performance.now()
        sent++
        c.publish(topics.device(spec.id, opts.kind ?? 'event'), body, { qos: 1 }, (err) => {
          if (err) pubackFailed++
          else {
            acked++
            if (running) pubackMs.push(performance.now() - started)
          }
        })
      }
    }, 10)
  }

  process.on('message', (m: { type: string }) => {
    if (m.type === 'go') {
      running = true
      if (opts.mode === 'saturate') for (const t of targets) saturate(t)
      else if (opts.mode === 'puback') puback()
      else rate()
    } else if (m.type === 'mark') {
      pubackMs.length = 0
    } else if (m.type === 'puback') {
      const sorted = [...pubackMs].sort((a, b) => a - b)
      report({
        type: 'puback',
        samples: sorted.length,
        failed: pubackFailed,
        unacked: sent - acked - pubackFailed,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? Number.NaN,
      })
    } else if (m.type === 'halt') {
      running = false
      clearInterval(timer)
    } else if (m.type === 'count') {
      report({ type: 'count', acked, sent, errors, skipped, at: Date.now() })
    }
  })
})
