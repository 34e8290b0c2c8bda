import type { DeviceSummary } from '@vigil/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type DeviceQuery,
  DeviceView,
  emptyQuery,
  fleetFacts,
  queryDevices,
  SORTS,
  type SortKey,
} from '../../src/lib/deviceQuery.ts'
import { createFleetStore } from '../../src/stores/fleet.ts'
import { device, devices } from '../helpers.ts'

describe('queryDevices', () => {
  it('searches name, host, vendor, model and OS, case-insensitively', () => {
    const rows = [device(1, { hostname: 'ICU-Bed-4' }), device(2, { os: 'Alpine Linux' }), device(3)]
    expect(queryDevices(rows, { ...emptyQuery(), search: 'icu-bed' }).map((d) => d.id)).toEqual(['dev-00001'])
    expect(queryDevices(rows, { ...emptyQuery(), search: 'alpine' }).map((d) => d.id)).toEqual(['dev-00002'])
  })

  it('sorts numbers numerically with missing values last in ascending order, ties by name', () => {
    const rows = [device(1, { cpuPct: 50 }), device(2, { cpuPct: undefined }), device(3, { cpuPct: 5 })]
    const q: DeviceQuery = { ...emptyQuery(), sortKey: 'cpuPct', sortDir: 'desc' }
    expect(queryDevices(rows, q).map((d) => d.cpuPct)).toEqual([50, 5, undefined])
  })

  it('sorts names naturally (gateway-2 before gateway-10)', () => {
    const rows = [device(1, { name: 'gateway-10' }), device(2, { name: 'gateway-2' })]
    expect(queryDevices(rows, emptyQuery()).map((d) => d.name)).toEqual(['gateway-2', 'gateway-10'])
  })
})

const arbPatch = fc.record({
  index: fc.nat({ max: 59 }),
  cpuPct: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  online: fc.boolean(),
  rename: fc.boolean(),
  remove: fc.boolean(),
})
const arbQuery = fc.record({
  search: fc.constantFrom('', 'gateway-0001', '5'),
  online: fc.constantFrom('all', 'online', 'offline'),
  vendor: fc.constantFrom('', 'Acme Medical'),
  model: fc.constant(''),
  failingOnly: fc.boolean(),
  sortKey: fc.constantFrom(...(Object.keys(SORTS) as SortKey[])),
  sortDir: fc.constantFrom('asc', 'desc'),
}) as fc.Arbitrary<DeviceQuery>

describe('DeviceView', () => {
  it('always equals a full filter-and-sort of the live fleet, however deltas arrive', () => {
    fc.assert(
      fc.property(
        arbQuery,
        fc.array(fc.array(arbPatch, { maxLength: 8 }), { maxLength: 12 }),
        (q, batches) => {
          const store = createFleetStore(() => {})
          store.applySnapshot({ devices: devices(60), ts: 't0' })
          const view = new DeviceView()
          let seen = -1
          const read = () => {
            const changed = seen < 0 ? null : store.changesSince(seen)
            seen = store.version()
            return view.update(store.devices.value, changed, q)
          }
          read()
          for (const batch of batches) {
            const changed: DeviceSummary[] = []
            const removed: string[] = []
            for (const p of batch) {
              const base = store.devices.value.get(device(p.index).id) ?? device(p.index)
              if (p.remove) removed.push(base.id)
              else
                changed.push({
                  ...base,
                  cpuPct: p.cpuPct,
                  online: p.online,
                  name: p.rename ? `${base.name}x` : base.name,
                })
            }
            store.queueDelta({ devices: changed, removed, ts: 't' })
            store.flush()
            expect(read()).toEqual(queryDevices(store.devices.value.values(), q))
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  it('replaces a row in place when only its figures change', () => {
    const store = createFleetStore(() => {})
    store.applySnapshot({ devices: devices(1000), ts: 't0' })
    const view = new DeviceView()
    const q = emptyQuery()
    const before = view.update(store.devices.value, null, q)
    const v = store.version()
    store.queueDelta({ devices: [device(500, { cpuPct: 99.5 })], removed: [], ts: 't1' })
    store.flush()
    const after = view.update(store.devices.value, store.changesSince(v), q)
    expect(after).not.toBe(before)
    expect(after.findIndex((d) => d.id === 'dev-00500')).toBe(before.findIndex((d) => d.id === 'dev-00500'))
    expect(after.find((d) => d.id === 'dev-00500')?.cpuPct).toBe(99.5)
  })
})

describe('fleetFacts', () => {
  it('counts the fleet and lists vendors and models, reusing unchanged lists', () => {
    const first = fleetFacts(devices(12))
    expect(first).toMatchObject({
      total: 12,
      online: 8,
      vendors: ['Acme Medical', 'Globex'],
      models: ['GW-100', 'GW-200'],
    })
    const moved = devices(12).map((d) => ({ ...d, cpuPct: 1 }))
    const second = fleetFacts(moved, first)
    expect(second.vendors).toBe(first.vendors)
    expect(second.models).toBe(first.models)
    const third = fleetFacts([...moved, device(99, { vendor: 'Initech', model: undefined })], second)
    expect(third.vendors).toEqual(['Acme Medical', 'Globex', 'Initech'])
    expect(third.models).toBe(second.models)
    expect(third.total).toBe(13)
  })
})
