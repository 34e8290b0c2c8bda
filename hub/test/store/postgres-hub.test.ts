/**
 * The real hub on PostgreSQL (VIGIL_DATABASE_URL), and `vigil-hub migrate` from an embedded data
 * directory, against a real PostgreSQL 15: enrollment, an inventory over MQTT acknowledged (PUBACK), a
 * finding and its register transition, then a new hub on a fresh data directory holds all of it.
 */
import { type FindingHistoryEntry, topics } from '@vigil/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateCommand } from '../../src/cli/migrate.ts'
import { loadHubConfig } from '../../src/config.ts'
import type { RunningHub } from '../../src/server.ts'
import { PgStore } from '../../src/store/postgres/pg-store.ts'
import { birth, connectEnrolled, type Enrolled, enroll, tempDir, testHub, until } from '../helpers.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'
import { api, DLA_3012, inventory, VULNERABLE, waitFindings } from '../risk/register/fixtures.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

/** Enrolls a gateway, sends a vulnerable inventory over MQTT and moves its finding to in_progress. */
async function populate(hub: RunningHub) {
  const a = await api(hub)
  expect((await a.post('/api/v1/advisories', DLA_3012)).status).toBe(201)
  const dev = await enroll(hub, 'gw-pg')
  const client = await connectEnrolled(hub, dev)
  await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth()), { qos: 1 })
  // QoS 1: resolves on PUBACK, which the hub sends only after the commit.
  await client.publishAsync(topics.device(dev.deviceId, 'inventory'), JSON.stringify(inventory(VULNERABLE)), {
    qos: 1,
  })
  const [f] = await waitFindings(a, dev.deviceId, (fs) => fs.length === 1, 'finding')
  const moved = await a.post(`/api/v1/findings/${f?.id}/transition`, {
    state: 'in_progress',
    owner: 'biomed-team',
    why: 'scheduling the update',
  })
  expect(moved.status).toBe(200)
  client.end(true)
  return { deviceId: dev.deviceId, dev, findingId: f?.id ?? '' }
}

/** What a hub started on `databaseUrl` with an empty data directory answers. */
async function expectHeld(databaseUrl: string, held: { deviceId: string; dev: Enrolled; findingId: string }) {
  const hub = await testHub({ databaseUrl }, await tempDir())
  const a = await api(hub)
  const device = await a.get<{ name: string }>(`/api/v1/devices/${held.deviceId}`)
  expect(device.status).toBe(200)
  expect(device.body.name).toBe('gw-pg')
  const hash = hub.app.hub.store.devices.get(held.deviceId)?.inventoryHash ?? ''
  expect(await hub.app.hub.store.inventories.get(hash)).toMatchObject({ hash })
  const [f] = await waitFindings(a, held.deviceId, (fs) => fs.length === 1, 'finding after restart')
  expect(f).toMatchObject({ id: held.findingId, state: 'in_progress', owner: 'biomed-team' })
  const history = (
    await a.get<{ history: FindingHistoryEntry[] }>(`/api/v1/findings/${held.findingId}/history`)
  ).body.history
  expect(history.map((h) => `${h.from}>${h.to}`)).toEqual(['open>in_progress', 'null>open'])
  const audit = await a.get<{ entries: { action: string }[] }>('/api/v1/audit?limit=500')
  expect(audit.status).toBe(200)
  expect(JSON.stringify(audit.body)).toContain('finding.transition')
  // The device's credentials are in the database: it connects to the new hub and is acknowledged.
  const client = await connectEnrolled(hub, held.dev)
  await client.publishAsync(topics.device(held.deviceId, 'state'), JSON.stringify(birth()), { qos: 1 })
  await until(() => hub.app.hub.store.devices.get(held.deviceId)?.online, 'device online')
  return hub
}

describe('the hub on PostgreSQL', () => {
  it('keeps enrollment, device data, findings and decisions in the database across a restart', async () => {
    const url = await server.createDatabase()
    const first = await testHub({ databaseUrl: url })
    const held = await populate(first)
    await first.close()
    const second = await expectHeld(url, held)
    const { rows } = await (second.app.hub.store as PgStore).pool.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM vigil_collections WHERE collection = 'devices'",
    )
    expect(rows[0]?.n).toBe('1')
  }, 60_000)
})

describe('vigil-hub migrate --to postgres://…', () => {
  it('copies an embedded hub into PostgreSQL, prints matching counts, and the hub runs on it', async () => {
    const dataDir = await tempDir()
    const embedded = await testHub({}, dataDir)
    const held = await populate(embedded)
    await embedded.close()
    const url = await server.createDatabase()
    let printed = ''
    const code = await migrateCommand(['--to', url], loadHubConfig({ dataDir }, {}), (t) => {
      printed += t
    })
    console.log(printed)
    expect(code, printed).toBe(0)
    expect(printed).toMatch(/collection devices\s+1\s+1\n/)
    expect(printed).toMatch(/collection register\/findings\s+1\s+1\n/)
    expect(printed).toMatch(/blobs inventories\s+1\s+1\n/)
    expect(printed).toMatch(/docs advisory-db\s+(\d+)\s+\1\n/)
    expect(printed).toMatch(/log audit\s+(\d+)\s+\1\n/)
    expect(printed).toMatch(/all \d+ counts match/)
    await expectHeld(url, held)
    // A second run into the same (now filled) database is refused.
    await expect(migrateCommand(['--to', url], loadHubConfig({ dataDir }, {}), () => {})).rejects.toThrow(
      /already holds hub data/,
    )
  }, 60_000)

  it('exits non-zero and names the mismatch when the database did not keep what was sent', async () => {
    const dataDir = await tempDir()
    const embedded = await testHub({}, dataDir)
    await populate(embedded)
    await embedded.close()
    const url = await server.createDatabase()
    // The schema exists; then (as the superuser) the database is made to drop audit rows silently.
    await (await PgStore.open({ url })).close()
    await dbAdmin(
      url,
      `CREATE TRIGGER drop_audit BEFORE INSERT ON vigil_logs FOR EACH ROW
      WHEN (NEW.log = 'audit') EXECUTE FUNCTION public.lossy()`,
    )
    let printed = ''
    const code = await migrateCommand(['--to', url], loadHubConfig({ dataDir }, {}), (t) => {
      printed += t
    })
    expect(code).toBe(1)
    expect(printed).toMatch(/log audit\s+[1-9]\d*\s+0\s+MISMATCH/)
    expect(printed).toMatch(/1 of \d+ counts differ/)
  }, 60_000)
})

/** Runs SQL as the superuser inside the database of `url`. */
async function dbAdmin(url: string, sql: string): Promise<void> {
  const pg = (await import('pg')).default
  const client = new pg.Client({
    host: server.dir,
    port: server.port,
    user: 'postgres',
    database: new URL(url).pathname.slice(1),
  })
  await client.connect()
  try {
    await client.query(
      'CREATE FUNCTION public.lossy() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$',
    )
    await client.query(sql)
  } finally {
    await client.end()
  }
}
