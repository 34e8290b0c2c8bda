/**
 * Issue 13 point 3, volatile device fields: with two real hub processes on one real PostgreSQL 15, a
 * device connected to hub A is shown by hub B online, with its latest telemetry figures and lastSeen —
 * which A keeps in memory and does not write per sample — from A's batched presence notifications.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { DeviceDetail } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { hasPostgres, hubsOnOneDatabase, PG_BIN } from '../src/postgres.ts'
import { api, type HubAddress, signIn, startAgent, until } from '../src/system.ts'

describe.skipIf(!hasPostgres)('two hubs, one PostgreSQL: volatile device fields on every hub', () => {
  it('B shows the device connected to A online with its latest telemetry and lastSeen', async () => {
    const { url, start } = await hubsOnOneDatabase()
    const a = await start()
    const b = await start()
    const tokenA = await signIn(a)
    const tokenB = await signIn(b)
    const agent = await startAgent(a as never, tokenA, {
      name: 'presence',
      overrides: { telemetryIntervalSec: 1 },
    })
    const detail = async (hub: HubAddress, token: string) =>
      (await api<DeviceDetail>(hub, `/api/v1/devices/${agent.deviceId}`, { token })).body
    /** What the database holds for the device (its last durable write). */
    const stored = () =>
      execFileSync(
        join(PG_BIN, 'psql'),
        [
          url,
          '-tAc',
          `SELECT coalesce(doc::json->>'telemetryAt', '') FROM vigil_collections WHERE collection = 'devices' AND id = '${agent.deviceId}'`,
        ],
        { encoding: 'utf8' },
      ).trim()

    const first = await until('the device online with telemetry on B', async () => {
      const d = await detail(b, tokenB)
      return d.online && d.telemetryAt ? d : undefined
    })
    expect(first.lastSeen).not.toBeNull()

    // B knows newer figures than the database holds: they came from A's memory, not from a write.
    await until('telemetry on B newer than the stored record', async () => {
      const onB = (await detail(b, tokenB)).telemetryAt ?? ''
      const inDb = stored()
      return onB > inDb ? true : undefined
    })

    // B follows each new sample: it shows what A shows (the same sample, its figures and lastSeen).
    const same = await until('the same latest telemetry on both hubs', async () => {
      const [onA, onB] = [await detail(a, tokenA), await detail(b, tokenB)]
      return onB.telemetryAt !== undefined &&
        onB.telemetryAt > (first.telemetryAt ?? '') &&
        onA.telemetryAt === onB.telemetryAt &&
        onA.lastSeen === onB.lastSeen
        ? { onA, onB }
        : undefined
    })
    expect(same.onB).toMatchObject({
      online: true,
      cpuPct: same.onA.cpuPct,
      memUsedPct: same.onA.memUsedPct,
    })
  }, 180_000)
})
