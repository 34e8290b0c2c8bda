/**
 * Volatile device fields across hubs (realtime/cluster-presence.ts): two hubs' registries on one real
 * PostgreSQL; lastSeen and telemetry figures kept in A's memory reach B batched, newest wins, without a
 * database write.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { DeviceRegistry } from '../../src/devices/registry.ts'
import { bridgePresence } from '../../src/realtime/cluster-presence.ts'
import type { DeviceRecord } from '../../src/store/types.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'
import { until } from '../until.ts'
import { twoHubs } from './two-hubs.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

const device = (n: number): DeviceRecord => ({
  id: `device-${String(n).padStart(4, '0')}-${'x'.repeat(24)}`,
  name: `gw-${n}`,
  secretHash: 'h',
  disabled: false,
  enrolledAt: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:00:00.000Z',
  online: true,
})

describe('volatile device fields across hubs', () => {
  it('reach the other hub batched, newest wins, with no database write', async () => {
    const url = await server.createDatabase()
    const [a, b] = await twoHubs(url, { changePollMs: 100, probeIntervalMs: 600_000 }, (store) => {
      const registry = new DeviceRegistry(store)
      const bridge = bridgePresence({ channel: store.cluster, store, registry, windowMs: 20 })
      onTestFinished(() => bridge.stop())
      const told: string[] = []
      registry.onChange((c) => {
        if (c.type === 'changed') told.push(c.device.id)
      })
      return { store, registry, told }
    })
    // 300 devices (more than one notification holds), stored through A.
    const devices = Array.from({ length: 300 }, (_, n) => device(n))
    for (const d of devices) a.store.devices.put(d)
    await a.store.commit()
    await until(() => b.store.devices.size === devices.length, 'the devices on b')

    const rounds = a.store.stats().commitRounds
    const t1 = '2026-01-01T00:00:05.000Z'
    for (const [n, d] of devices.entries()) {
      const held = a.registry.get(d.id) as DeviceRecord
      Object.assign(held, { lastSeen: t1, telemetryAt: t1, cpuPct: n % 100, memUsedPct: 50 })
      a.registry.touched(held)
    }
    await until(() => devices.every((d) => b.registry.get(d.id)?.telemetryAt === t1), "a's figures on b")
    for (const [n, d] of devices.entries())
      expect(b.registry.get(d.id)).toMatchObject({ lastSeen: t1, cpuPct: n % 100, memUsedPct: 50 })
    expect(b.told.filter((id) => id === devices[7]?.id).length).toBeGreaterThan(0)
    // Nothing was written for it: no commit round on A, and the database holds the first values.
    expect(a.store.stats().commitRounds).toBe(rounds)

    // B has newer figures of one device than A sends now: A's older ones do not replace them.
    const first = devices[0] as DeviceRecord
    const onB = b.registry.get(first.id) as DeviceRecord
    Object.assign(onB, {
      lastSeen: '2026-01-01T00:00:09.000Z',
      telemetryAt: '2026-01-01T00:00:09.000Z',
      cpuPct: 99,
    })
    b.registry.touched(onB)
    const heldA = a.registry.get(first.id) as DeviceRecord
    Object.assign(heldA, {
      lastSeen: '2026-01-01T00:00:07.000Z',
      telemetryAt: '2026-01-01T00:00:07.000Z',
      cpuPct: 1,
    })
    a.registry.touched(heldA)
    // B's newer figures reach A; A's older ones never replace them on B.
    await until(() => a.registry.get(first.id)?.cpuPct === 99, "b's newer figures on a")
    expect(b.registry.get(first.id)).toMatchObject({ cpuPct: 99, lastSeen: '2026-01-01T00:00:09.000Z' })
  })
})
