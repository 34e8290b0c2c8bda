import { PROTOCOL_VERSION, type Telemetry } from '@vigil/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TelemetryHistory } from '../../src/devices/telemetry-history.ts'
import { benchTelemetry } from '../bench-telemetry.ts'

/** Any JSON number: -0, subnormals, the largest doubles, integers beyond 2^53. */
const number = fc.double({ noNaN: true, noDefaultInfinity: true })

/** A few mounts and labels, so that shapes repeat, change, and change back. */
const mounts = ['/', '/boot', '/var/log', '/data', 'C:\\', 'ü/€ "x"']
const labels = ['cpu', 'core-0', 'nvme', '']

const sampleAt = (ms: number) =>
  fc
    .record({
      ts: fc.oneof(
        // as an agent sends it (kept as its time), and other RFC 3339 forms (kept as text)
        fc.constant(new Date(ms).toISOString()),
        fc.constant(new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')),
        fc.constant(new Date(ms).toISOString().replace('Z', '+00:00')),
        fc.constant(new Date(ms).toISOString().replace('Z', '123Z')),
        fc.constant('not a time'),
      ),
      loadPct: number,
      loadAvg: fc.option(fc.array(number, { maxLength: 3 }), { nil: undefined }),
      mem: fc.record({ total: number, used: number }),
      disks: fc.array(fc.record({ mount: fc.constantFrom(...mounts), size: number, used: number }), {
        maxLength: 5,
      }),
      temps: fc.option(
        fc.array(fc.record({ label: fc.constantFrom(...labels), celsius: number }), { maxLength: 4 }),
        { nil: undefined },
      ),
      net: fc.record({ rxBps: number, txBps: number }),
      uptimeSec: number,
      processes: fc.nat(),
    })
    .map(({ loadPct, loadAvg, temps, ...rest }): Telemetry => {
      const t: Telemetry = {
        v: PROTOCOL_VERSION,
        ...rest,
        cpu: loadAvg === undefined ? { loadPct } : { loadPct, loadAvg },
      }
      if (temps !== undefined) t.temps = temps
      return t
    })

const WINDOW = 60_000

/** The simple model: every sample in a list; the last `recent`, and the first of each window's last `downsampled`. */
function modelQuery(
  added: { ms: number; t: Telemetry }[],
  recent: number,
  downsampled: number,
  since: number,
) {
  const full = added.slice(-recent)
  const older: typeof added = []
  let lastWindow = Number.NaN
  for (const a of added) {
    const w = Math.floor(a.ms / WINDOW)
    if (w !== lastWindow) older.push(a)
    lastWindow = w
  }
  const firstRecent = full[0]?.ms ?? Number.POSITIVE_INFINITY
  return [
    ...older.slice(-downsampled).filter((a) => a.ms >= since && a.ms < firstRecent),
    ...full.filter((a) => a.ms >= since),
  ].map((a) => a.t)
}

describe('TelemetryHistory as numbers', () => {
  it('answers exactly the samples added, for any shapes, numbers, times and ring sizes (property, list model)', () => {
    const start = Date.UTC(2026, 11, 6)
    const steps = fc
      .array(fc.integer({ min: 0, max: 90_000 }), { minLength: 1, maxLength: 60 })
      .chain((deltas) => {
        let ms = start
        const times = deltas.map((d) => {
          ms += d
          return ms
        })
        return fc.tuple(...times.map((at) => sampleAt(at)))
      })
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        steps,
        fc.integer({ min: start - 1000, max: start + 60 * 90_000 }),
        (recent, downsampled, samples, since) => {
          const history = new TelemetryHistory({ recent, downsampled, downsampleWindowMs: WINDOW })
          const added: { ms: number; t: Telemetry }[] = []
          for (const t of samples) {
            history.add('d', t)
            added.push({ ms: Date.parse(t.ts), t: structuredClone(t) })
            // after every sample, not only at the end: wrap-around and shape changes in the middle
            expect(history.query('d')).toEqual(modelQuery(added, recent, downsampled, 0))
          }
          expect(history.query('d', since)).toEqual(modelQuery(added, recent, downsampled, since))
          expect(history.query('other')).toEqual([])
        },
      ),
      { numRuns: 300 },
    )
  })

  it('keeps -0 and the extreme doubles as they are', () => {
    const history = new TelemetryHistory()
    const t: Telemetry = {
      v: PROTOCOL_VERSION,
      ts: '2026-12-06T10:00:00.000Z',
      cpu: { loadPct: -0, loadAvg: [Number.MIN_VALUE, Number.MAX_VALUE, 2 ** 53 + 2] },
      mem: { total: 1e308, used: 5e-324 },
      disks: [{ mount: '/', size: 0.1 + 0.2, used: -0 }],
      net: { rxBps: 0, txBps: 1 / 3 },
      uptimeSec: 1,
      processes: 0,
    }
    history.add('d', t)
    const [back] = history.query('d')
    expect(back).toEqual(t)
    expect(Object.is(back?.cpu.loadPct, -0)).toBe(true)
    expect(Object.is(back?.disks[0]?.used, -0)).toBe(true)
  })

  it('holds a device’s hour of 1 KB samples in numbers, not text: well under a third of the text’s size', () => {
    const history = new TelemetryHistory()
    const t = benchTelemetry()
    const text = JSON.stringify(t)
    for (let i = 0; i < 360; i++)
      history.add('d', { ...t, ts: new Date(Date.UTC(2026, 0, 1) + i * 10_000).toISOString() })
    // 360 recent samples of 35 numbers and a time, and the downsampled ring (288 slots) likewise
    expect(history.bytes()).toBe((360 + 288) * (35 + 1) * 8)
    expect(history.bytes()).toBeLessThan((360 * text.length) / 3 + 288 * 36 * 8)
  })
})

/** The bench's telemetry sample (test/bench/lib/payloads.ts): 8 mounts, 8 sensors, about 1 KB as JSON. */
