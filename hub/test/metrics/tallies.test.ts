import fc from 'fast-check'
import { Counter, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { KindTallies } from '../../src/metrics/tallies.ts'

const BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5]

function metricsPair() {
  const direct = new Registry()
  const tallied = new Registry()
  const tallies = new KindTallies(BUCKETS)
  const make = (registry: Registry, hooks: boolean) => ({
    counter: new Counter({
      name: 'm_total',
      help: 'h',
      labelNames: ['kind'] as const,
      registers: [registry],
      ...(hooks
        ? {
            collect(this: Counter<'kind'>) {
              tallies.flushCounter(this)
            },
          }
        : {}),
    }),
    histogram: new Histogram({
      name: 'd_seconds',
      help: 'h',
      labelNames: ['kind'] as const,
      buckets: BUCKETS,
      registers: [registry],
      ...(hooks
        ? {
            collect(this: Histogram<'kind'>) {
              tallies.flushHistogram(this)
            },
          }
        : {}),
    }),
  })
  make(tallied, true)
  return { direct, tallied, tallies, d: make(direct, false) }
}

/** The exposition text, `_sum` values rounded: the tallies add in another order (float rounding). */
async function exposition(registry: Registry): Promise<string> {
  return (await registry.metrics())
    .split('\n')
    .map((line) => {
      const m = /^(\S+_sum\{[^}]*\}) (\S+)$/.exec(line)
      return m ? `${m[1]} ${Number(m[2]).toPrecision(10)}` : line
    })
    .join('\n')
}

describe('KindTallies', () => {
  it('reads exactly as prom-client fed one observation at a time, across several scrapes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(
            fc.tuple(
              fc.constantFrom('telemetry', 'state', 'event'),
              fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...BUCKETS)),
            ),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        async (scrapes) => {
          const { direct, tallied, tallies, d } = metricsPair()
          for (const batch of scrapes) {
            for (const [kind, seconds] of batch) {
              d.counter.inc({ kind })
              d.histogram.observe({ kind }, seconds)
              tallies.of(kind).done(seconds)
            }
            expect(await exposition(tallied)).toBe(await exposition(direct))
          }
        },
      ),
      { numRuns: 100 },
    )
  })

  it('starts again from the reset values after a registry reset', async () => {
    const { direct, tallied, tallies, d } = metricsPair()
    tallies.of('telemetry').done(0.002)
    d.histogram.observe({ kind: 'telemetry' }, 0.002)
    d.counter.inc({ kind: 'telemetry' })
    expect(await exposition(tallied)).toBe(await exposition(direct))
    tallied.resetMetrics()
    direct.resetMetrics()
    tallies.of('telemetry').done(0.2)
    d.histogram.observe({ kind: 'telemetry' }, 0.2)
    d.counter.inc({ kind: 'telemetry' })
    expect(await exposition(tallied)).toBe(await exposition(direct))
  })
})
