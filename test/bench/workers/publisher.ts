/**
 * Load client process: N MQTT device connections publishing telemetry, either as fast as the broker
 * acknowledges (`saturate`: QoS 1, a window of unacknowledged messages per client) or at a fixed total
 * rate (`rate`: open loop, the sample's `ts` is the send time so a dashboard client can measure latency).
 * The same process drives the hub and the bare broker.
 */
import { topics } from '@vigil/protocol'
import type { MqttClient } from 'mqtt'
import { type ClientSpec, closeAll, connectAll } from '../lib/mqtt-clients.ts'
import { telemetry } from '../lib/payloads.ts'
import { report, workerMain } from '../lib/proc.ts'

interface Options {
  url: string
  clients: ClientSpec[]
  mode: 'saturate' | 'rate'
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

  process.on('message', (m: { type: string }) => {
    if (m.type === 'go') {
      running = true
      if (opts.mode === 'saturate') for (const t of targets) saturate(t)
      else rate()
    } else if (m.type === 'halt') {
      running = false
      clearInterval(timer)
    } else if (m.type === 'count') {
      report({ type: 'count', acked, sent, errors, skipped, at: Date.now() })
    }
  })
})
