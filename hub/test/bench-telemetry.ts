/**
 * The bench's ~1 KB telemetry sample (eight mounts, eight sensors), as the ingest bench sends it: one
 * builder for the telemetry-history tests and the measuring scripts in `hub/scripts/`. `i` varies the
 * numbers (not the shape) from sample to sample.
 */
import { PROTOCOL_VERSION, type Telemetry } from '@vigil/protocol'

const MOUNTS = ['/', '/boot', '/var', '/var/log', '/opt/vendor', '/data', '/srv/archive', '/mnt/usb-backup']
const SENSORS = [
  'cpu-package',
  'core-0',
  'core-1',
  'core-2',
  'core-3',
  'pch',
  'nvme-composite',
  'board-ambient',
]

export function benchTelemetry(ts: Date = new Date(), i = 0): Telemetry {
  return {
    v: PROTOCOL_VERSION,
    ts: ts.toISOString(),
    cpu: { loadPct: 12.5 + (i % 7), loadAvg: [0.31, 0.27, 0.22] },
    mem: { total: 4_124_000_256, used: 1_811_234_816 + i },
    disks: MOUNTS.map((mount, k) => ({ mount, size: 31_123_456_000 + k, used: 9_876_543_210 + i })),
    temps: SENSORS.map((label, k) => ({ label, celsius: 40 + k + (i % 10) / 10 })),
    net: { rxBps: 12_345.6 + i, txBps: 6_789.1 },
    uptimeSec: 1_234_567 + i * 10,
    processes: 187,
  }
}
