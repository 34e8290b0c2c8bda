import fc from 'fast-check'
import { describe, expect, it, onTestFinished } from 'vitest'
import { DeviceRegistry, type ListOptions, toSummary } from '../../src/devices/registry.ts'
import { LowdbStore } from '../../src/store/lowdb-store.ts'
import type { DeviceRecord } from '../../src/store/types.ts'
import { tempDir } from '../helpers.ts'

const device = (i: number, name: string, cpuPct: number, online: boolean): DeviceRecord => ({
  id: `dev-${String(i).padStart(4, '0')}`,
  name,
  secretHash: '',
  disabled: false,
  enrolledAt: '2026-11-28T00:00:00.000Z',
  lastSeen: null,
  online,
  cpuPct,
})

describe('DeviceRegistry.list', () => {
  it('answers the same page whether it sorts every row or selects a small page (property)', async () => {
    const store = await LowdbStore.open({ dataDir: await tempDir(), flushIntervalMs: 3_600_000 })
    onTestFinished(() => store.close())
    const registry = new DeviceRegistry(store)
    // Few distinct names and loads: many ties, broken by id.
    for (let i = 0; i < 300; i++) registry.add(device(i, `Gw-${i % 7}`, i % 5, i % 3 !== 0))
    const sorts = ['name', 'cpuPct', 'online', 'enrolledAt'] as const
    fc.assert(
      fc.property(
        fc.constantFrom(...sorts),
        fc.constantFrom('asc', 'desc') as fc.Arbitrary<'asc' | 'desc'>,
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.option(fc.boolean(), { nil: undefined }),
        (sort, order, offset, limit, online) => {
          const opts: ListOptions = { sort, order, ...(online === undefined ? {} : { online }) }
          const all = registry.list(opts)
          const page = registry.list({ ...opts, offset, limit })
          expect(page.total).toBe(all.total)
          expect(page.devices).toEqual(all.devices.slice(offset, offset + limit))
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('toSummary', () => {
  it('projects a full record with its optional fields in the documented order', () => {
    const full: DeviceRecord = {
      ...device(1, 'Gw', 12.5, true),
      agentVersion: '0.1.0',
      identity: {
        hostname: 'gw-1',
        vendor: 'Acme',
        model: 'GW-100',
        firmwareVersion: '4.2',
        os: { platform: 'linux', id: 'debian', prettyName: 'Debian 12', kernel: '6.1', arch: 'x64' },
      },
      memUsedPct: 40,
      telemetryAt: '2026-11-28T00:00:01.000Z',
      packages: 700,
      failingChecks: 3,
    }
    expect(JSON.stringify(toSummary(full))).toBe(
      JSON.stringify({
        id: 'dev-0001',
        name: 'Gw',
        online: true,
        disabled: false,
        lastSeen: null,
        enrolledAt: '2026-11-28T00:00:00.000Z',
        hostname: 'gw-1',
        vendor: 'Acme',
        model: 'GW-100',
        firmwareVersion: '4.2',
        os: 'Debian 12',
        agentVersion: '0.1.0',
        cpuPct: 12.5,
        memUsedPct: 40,
        telemetryAt: '2026-11-28T00:00:01.000Z',
        packages: 700,
        failingChecks: 3,
      }),
    )
  })

  it('leaves out what the record does not hold (no undefined keys), os falls back to its id', () => {
    const bare = {
      ...device(2, 'B', 0, false),
      identity: { os: { platform: 'linux', id: 'alpine', kernel: '6', arch: 'arm64' } },
    }
    const { cpuPct: _, ...noCpu } = bare
    const s = toSummary(noCpu as DeviceRecord)
    expect(Object.keys(s)).toEqual(['id', 'name', 'online', 'disabled', 'lastSeen', 'enrolledAt', 'os'])
    expect(s.os).toBe('alpine')
  })
})
