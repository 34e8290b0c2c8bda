/**
 * Prometheus metrics of one hub instance (its own registry, so several hubs can run in one process).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { KindTallies } from './tallies.js'

const INGEST_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5]

export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  // Accepted messages and their ingest time, counted per kind by the pipeline, added on every read.
  const ingest = new KindTallies(INGEST_BUCKETS)
  const metrics = {
    ingest,
    registry,
    connectedDevices: new Gauge({
      name: 'vigil_connected_devices',
      help: 'Devices connected to the broker',
      registers: [registry],
    }),
    messages: new Counter({
      name: 'vigil_mqtt_messages_total',
      help: 'Device messages accepted, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
      collect() {
        ingest.flushCounter(this)
      },
    }),
    rejected: new Counter({
      name: 'vigil_mqtt_rejected_total',
      help: 'Device messages or connections rejected, by reason and device',
      labelNames: ['reason', 'device'] as const,
      registers: [registry],
    }),
    throttled: new Counter({
      name: 'vigil_mqtt_throttled_total',
      help: 'Publishes delayed by the per-device rate limit',
      labelNames: ['device'] as const,
      registers: [registry],
    }),
    ingestLatency: new Histogram({
      name: 'vigil_ingest_duration_seconds',
      help: 'Time to validate, apply and hand on one device message',
      labelNames: ['kind'] as const,
      buckets: INGEST_BUCKETS,
      registers: [registry],
      collect() {
        ingest.flushHistogram(this)
      },
    }),
    storeWriteDuration: new Histogram({
      name: 'vigil_store_flush_duration_seconds',
      help: 'Duration of one store flush (all dirty files)',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    storeErrors: new Counter({
      name: 'vigil_store_errors_total',
      help: 'Storage failures (disk full, I/O errors) of commits and checkpoints',
      registers: [registry],
    }),
    jobHeld: new Gauge({
      name: 'vigil_job_held',
      help: '1 for each cluster-wide job this hub runs now (jobs/: the others are held by another hub)',
      labelNames: ['job'] as const,
      registers: [registry],
    }),
    storeHealthy: new Gauge({
      name: 'vigil_store_healthy',
      help: '1 while writes are being stored, 0 while storage fails (see /readyz for the reason)',
      registers: [registry],
    }),
    storeCommitDuration: new Histogram({
      name: 'vigil_store_commit_duration_seconds',
      help: 'Duration of one group-commit round (write + fsync of every queued change)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    takeovers: new Counter({
      name: 'vigil_mqtt_takeovers_total',
      help: 'Second MQTT connections with a connected device’s credentials, by outcome (taken-over, refused)',
      labelNames: ['device', 'outcome'] as const,
      registers: [registry],
    }),
    ingestRefused: new Counter({
      name: 'vigil_ingest_refused_total',
      help: 'Device messages acknowledged but not applied: duplicate or older sequence, hash mismatch, too frequent',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    socketDropped: new Counter({
      name: 'vigil_dashboard_clients_dropped_total',
      help: 'Dashboard clients disconnected because they did not read what was sent to them',
      registers: [registry],
    }),
    storeSerializeMax: new Gauge({
      name: 'vigil_store_serialize_max_seconds',
      help: 'Longest synchronous serialisation of one store file in the last flush (event-loop block)',
      registers: [registry],
    }),
    storeWriteBytes: new Gauge({
      name: 'vigil_store_flush_bytes',
      help: 'Bytes written by the last store flush',
      registers: [registry],
    }),
    eventLoopDelayMax: new Gauge({
      name: 'vigil_event_loop_delay_max_seconds',
      help: 'Longest event-loop delay since the previous scrape (monitorEventLoopDelay)',
      registers: [registry],
      collect() {
        this.set(loop.max / 1e9)
        loop.reset()
      },
    }),
    close(): void {
      loop.disable()
      registry.clear()
    },
  }
  return metrics
}

export type HubMetrics = ReturnType<typeof createMetrics>
