/** Wire payloads the load clients send, shaped by `@vigil/protocol` (validated by the hub). */
import type { DeviceIdentity, DeviceState, Telemetry } from '@vigil/protocol'

/** A telemetry sample of about 1 KB (several mounts and sensors, as a real gateway has). */
export function telemetry(ts = new Date()): Telemetry {
  return {
    v: 1,
    ts: ts.toISOString(),
    cpu: { loadPct: 12.5, loadAvg: [0.31, 0.27, 0.22] },
    mem: { total: 4_124_000_256, used: 1_811_234_816 },
    disks: [
      { mount: '/', size: 31_123_456_000, used: 9_876_543_210 },
      { mount: '/boot', size: 511_000_000, used: 98_000_000 },
      { mount: '/var', size: 20_000_000_000, used: 3_456_789_012 },
      { mount: '/var/log', size: 4_000_000_000, used: 1_234_567_890 },
      { mount: '/opt/vendor', size: 8_000_000_000, used: 2_345_678_901 },
      { mount: '/data', size: 64_000_000_000, used: 12_345_678_901 },
      { mount: '/srv/archive', size: 128_000_000_000, used: 45_678_901_234 },
      { mount: '/mnt/usb-backup', size: 32_000_000_000, used: 7_654_321_098 },
    ],
    temps: [
      { label: 'cpu-package', celsius: 51.2 },
      { label: 'core-0', celsius: 49.8 },
      { label: 'core-1', celsius: 50.4 },
      { label: 'core-2', celsius: 48.9 },
      { label: 'core-3', celsius: 50.1 },
      { label: 'pch', celsius: 44.0 },
      { label: 'nvme-composite', celsius: 38.9 },
      { label: 'board-ambient', celsius: 31.5 },
    ],
    net: { rxBps: 12_345.6, txBps: 6_789.1 },
    uptimeSec: 1_234_567,
    processes: 187,
  }
}

export function birth(identity: DeviceIdentity, inventoryHash?: string): DeviceState {
  return {
    v: 1,
    status: 'online',
    ts: new Date().toISOString(),
    agentVersion: 'bench',
    identity,
    ...(inventoryHash ? { inventoryHash } : {}),
    telemetryIntervalSec: 10,
  }
}

export function will(): DeviceState {
  return { v: 1, status: 'offline', ts: new Date().toISOString(), reason: 'will' }
}
