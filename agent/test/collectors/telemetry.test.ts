import { compile, Telemetry } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { buildTelemetry, parseProcMounts, parseProcNetDev, rate } from '../../src/collectors/telemetry.ts'
import { createTelemetrySampler } from '../../src/collectors/telemetry-sampler.ts'

const v = compile(Telemetry)

describe('telemetry parsers', () => {
  it('sums /proc/net/dev counters without loopback', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
  eth0: 5000      50    0    0    0     0          0         0     7000      70    0    0    0     0       0          0
  wlan0: 100       1    0    0    0     0          0         0      200       2    0    0    0     0       0          0
`
    expect(parseProcNetDev(text)).toEqual({ rx: 5100, tx: 7200 })
  })
  it('keeps real file systems from /proc/mounts', () => {
    const text =
      'overlay / overlay rw 0 0\nproc /proc proc rw 0 0\n/dev/sda1 /boot ext4 rw 0 0\ntmpfs /run tmpfs rw 0 0\n/dev/sdb1 /data\\040disk xfs rw 0 0\n'
    expect(parseProcMounts(text)).toEqual(['/', '/boot', '/data disk'])
  })
  it('computes rates and treats a counter reset as 0', () => {
    expect(rate(1000, 3000, 2)).toBe(1000)
    expect(rate(3000, 1000, 2)).toBe(0)
  })
  it('clamps nonsense into a valid message', () => {
    const t = buildTelemetry({
      ts: new Date(0),
      loadPct: 140,
      loadAvg: [0.5, Number.NaN, 1],
      mem: { total: 100, used: -1 },
      disks: [],
      temps: [],
      net: { rxBps: 1.6, txBps: Number.POSITIVE_INFINITY },
      uptimeSec: 10.4,
      processes: 3.7,
    })
    expect(v.validate(t).ok).toBe(true)
    expect(t).toMatchObject({
      cpu: { loadPct: 100, loadAvg: [0.5, 0, 1] },
      mem: { used: 0 },
      net: { rxBps: 2, txBps: 0 },
      processes: 3,
    })
    expect(t.temps).toBeUndefined()
  })
  it('samples this machine into valid telemetry, with rates from the second sample on', async () => {
    const s = createTelemetrySampler()
    const a = await s.sample(new Date(Date.now()))
    const b = await s.sample(new Date(Date.now() + 10_000))
    expect(v.validate(a).ok).toBe(true)
    expect(v.validate(b).ok).toBe(true)
    expect(a.net).toEqual({ rxBps: 0, txBps: 0 })
    expect(b.mem.total).toBeGreaterThan(0)
    expect(b.disks.length).toBeGreaterThan(0)
    expect(b.processes).toBeGreaterThan(0)
  })
})
