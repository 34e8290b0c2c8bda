/**
 * The change feed between hubs (pg-changes.ts) and the per-device sequence applied in the database
 * (pg-writer.ts): two stores on one real PostgreSQL 15 database, as two hubs would be.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { PgStore } from '../../src/store/postgres/pg-store.ts'
import type { DeviceEventRecord, DeviceRecord, RemoteChange } from '../../src/store/types.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'
import { until } from '../until.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

async function open(url: string, extra: Partial<Parameters<typeof PgStore.open>[0]> = {}) {
  const store = await PgStore.open({
    url,
    commitWindowMs: 2,
    onError: (err) => console.log(`store error: ${(err as Error).message}`),
    ...extra,
  })
  onTestFinished(() => store.close().catch(() => undefined))
  return store
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

const device = (id: string, extra: Partial<DeviceRecord> = {}): DeviceRecord => ({
  id,
  name: id,
  secretHash: 'x',
  disabled: false,
  enrolledAt: '2026-01-01T00:00:00.000Z',
  lastSeen: null,
  online: false,
  ...extra,
})

describe('change feed between hubs', () => {
  it("brings one hub's committed puts and deletes into the other's memory and tells its watchers", async () => {
    const url = await server.createDatabase()
    // Notifications bring changes at once; the poll (the default 2 s) is the safety net for a lost one.
    // Under CI load this test once lost a document for good: the read chose its stores before waiting
    // for a connection, so a store that finished loading meanwhile was skipped (fixed in pg-changes.ts).
    const a = await open(url, { changePollMs: 2_000 })
    const b = await open(url, { changePollMs: 2_000 })
    const findingsA = await a.collection<{ id: string; state: string }>('register/findings')
    const findingsB = await b.collection<{ id: string; state: string }>('register/findings')
    const seen: RemoteChange[] = []
    b.watch((c) => seen.push(c))
    const heardByA: RemoteChange[] = []
    a.watch((c) => heardByA.push(c))

    a.users.put({ id: 'u1', username: 'alice', role: 'admin', passwordHash: 'h', createdAt: 'now' })
    a.sessions.put({ id: 's1', userId: 'u1', createdAt: 'now', expiresAt: '2999-01-01T00:00:00Z' })
    findingsA.put({ id: 'f1', state: 'open' })
    await a.commit()
    await until(
      () => b.sessions.get('s1') !== undefined && findingsB.get('f1') !== undefined,
      'the puts on b',
    )
    expect(b.users.get('u1')?.username).toBe('alice')
    expect(findingsB.get('f1')).toEqual({ id: 'f1', state: 'open' })
    expect(seen.map((c) => `${c.collection}/${c.id}`).sort()).toEqual([
      'register/findings/f1',
      'sessions/s1',
      'users/u1',
    ])

    findingsA.put({ id: 'f1', state: 'accepted' })
    a.sessions.delete('s1')
    await a.commit()
    await until(() => b.sessions.get('s1') === undefined, 'the delete on b')
    await until(() => findingsB.get('f1')?.state === 'accepted', 'the update on b')
    expect(seen.some((c) => c.collection === 'sessions' && c.id === 's1' && c.record === undefined)).toBe(
      true,
    )
    // A hub does not hear its own writes back.
    expect(heardByA).toEqual([])
    // Documents: b knows that a stored (or deleted) one, and reads it.
    const hash = 'a'.repeat(64)
    await a.inventories.put(hash, { hash } as never)
    const advisoriesA = await a.docs<{ n: number }>('advisory-db')
    const advisoriesB = await b.docs<{ n: number }>('advisory-db')
    await advisoriesA.put('osv', { n: 1 })
    await until(() => b.inventories.has(hash) && advisoriesB.has('osv'), 'the documents on b')
    expect(await b.inventories.get(hash)).toEqual({ hash })
    expect(await advisoriesB.get('osv')).toEqual({ n: 1 })
    await advisoriesA.delete('osv')
    await until(() => !advisoriesB.has('osv'), 'the document deleted on b')
    // b's next write of the record builds on the stored version.
    expect(findingsB.versionOf('f1')).toBe(findingsA.versionOf('f1'))
  })

  it('does not skip a transaction that commits after a later one was read (xmin horizon, polling)', async () => {
    const url = await server.createDatabase()
    const a = await open(url, { changePollMs: 100 })
    const b = await open(url, { changePollMs: 100 })
    const notes = await b.collection<{ id: string; n: number }>('notes')
    await a.collection('notes')
    // A writer holds its transaction open (it took its transaction id first) …
    const slow = new pg.Client({ connectionString: url })
    await slow.connect()
    onTestFinished(() => slow.end())
    await slow.query('BEGIN')
    await slow.query(
      `INSERT INTO vigil_collections (collection, id, doc, version) VALUES ('notes', 'late', '{"id":"late","n":1}', 1)`,
    )
    // … while hub a commits later writes, which b reads.
    const notesA = await a.collection<{ id: string; n: number }>('notes')
    notesA.put({ id: 'early', n: 2 })
    await a.commit()
    await until(() => notes.get('early') !== undefined, "a's write on b")
    const reads = b.feed.reads
    await until(() => b.feed.reads > reads + 1, 'two more reads')
    expect(notes.get('late')).toBeUndefined()
    await slow.query('COMMIT')
    // No notification names b's hub … and the late one is still found.
    await until(() => notes.get('late') !== undefined, 'the late transaction on b')
    expect(notes.get('late')).toEqual({ id: 'late', n: 1 })
  })

  it('keeps a record this hub has a newer write of queued', async () => {
    const url = await server.createDatabase()
    const a = await open(url, { changePollMs: 60_000 })
    const b = await open(url, { changePollMs: 60_000 })
    const ca = await a.collection<{ id: string; by: string }>('settings')
    const cb = await b.collection<{ id: string; by: string }>('settings')
    ca.put({ id: 'k', by: 'a' })
    await a.commit()
    await until(() => cb.get('k') !== undefined, 'the first put on b')
    cb.put({ id: 'k', by: 'b' })
    ca.put({ id: 'k', by: 'a2' })
    await a.commit()
    await b.feed.read()
    // b's own write is still in memory: it is newer than what b has read …
    expect(cb.get('k')?.by).toBe('b')
    await b.commit()
    // … and once committed, both hubs hold it.
    await until(() => ca.get('k')?.by === 'b', "b's write on a")
  })
})

describe('per-device sequence applied in the database', () => {
  it("refuses a hub's write of a device based on a stale copy and reloads the stored one", async () => {
    const url = await server.createDatabase()
    // No feed reads while the test runs, so b's copy is stale on purpose.
    const a = await open(url, { changePollMs: 600_000 })
    const b = await open(url, { changePollMs: 600_000 })
    a.devices.put(device('d1', { seq: { epoch: 'e', last: 1 } }))
    await a.commit()
    await b.feed.read()
    expect(b.devices.get('d1')?.seq?.last).toBe(1)
    await b.feed.close() // b hears nothing from now on: its copy can only be refreshed by a refusal
    // Message seq 2 lands on a: applied and stored.
    a.devices.put({
      ...(a.devices.get('d1') as DeviceRecord),
      inventoryHash: 'inv2',
      seq: { epoch: 'e', last: 2 },
    })
    await a.commit()
    // Message seq 3 lands on b, whose copy lacks seq 2's change: refused by the database.
    const mark = b.refusalMark()
    b.devices.put({ ...(b.devices.get('d1') as DeviceRecord), lastSeen: 'b', seq: { epoch: 'e', last: 3 } })
    await b.commit()
    expect(b.refusedSince('devices', 'd1', mark)).toBe(true)
    // b's memory now shows what is stored, so the redelivered message is applied on the fresh copy.
    expect(b.devices.get('d1')?.inventoryHash).toBe('inv2')
    const mark2 = b.refusalMark()
    b.devices.put({ ...(b.devices.get('d1') as DeviceRecord), lastSeen: 'b', seq: { epoch: 'e', last: 3 } })
    await b.commit()
    expect(b.refusedSince('devices', 'd1', mark2)).toBe(false)
    const [row] = await query<{ doc: string }>(
      url,
      `SELECT doc FROM vigil_collections WHERE collection = 'devices' AND id = 'd1'`,
    )
    const stored = JSON.parse(row?.doc ?? '{}') as DeviceRecord
    expect(stored).toMatchObject({ inventoryHash: 'inv2', lastSeen: 'b', seq: { epoch: 'e', last: 3 } })
  })

  it('takes a write built on the stored version that applies no newer message (an operator change)', async () => {
    // An operator's change or online/offline: the version decides; the sequence stays.
    const url = await server.createDatabase()
    const a = await open(url)
    a.devices.put(device('d2', { seq: { epoch: 'e', last: 5, kinds: { state: 5 } } }))
    await a.commit()
    const mark = a.refusalMark()
    a.devices.put({ ...(a.devices.get('d2') as DeviceRecord), name: 'renamed' })
    await a.commit()
    expect(a.refusedSince('devices', 'd2', mark)).toBe(false)
    const [row] = await query<{ version: string; seq_last: string; seq_kinds: unknown }>(
      url,
      `SELECT version::text, seq_last::text, seq_kinds FROM vigil_collections WHERE collection = 'devices' AND id = 'd2'`,
    )
    expect(row).toEqual({ version: '2', seq_last: '5', seq_kinds: { state: 5 } })
  })

  it("never lets an older message's state overwrite a newer one's of its kind, whichever hub writes last", async () => {
    const url = await server.createDatabase()
    // No feed reads: each hub's copy is only refreshed by a refusal.
    const a = await open(url, { changePollMs: 600_000 })
    const b = await open(url, { changePollMs: 600_000 })
    a.devices.put(device('d4', { seq: { epoch: 'e', last: 10, kinds: { state: 10, inventory: 10 } } }))
    await a.commit()
    await b.feed.read()
    await Promise.all([a.feed.close(), b.feed.close()])
    const stored = async () => {
      const [row] = await query<{ doc: string; seq_last: string; seq_kinds: unknown }>(
        url,
        `SELECT doc, seq_last::text, seq_kinds FROM vigil_collections WHERE collection = 'devices' AND id = 'd4'`,
      )
      const doc = JSON.parse(row?.doc ?? '{}') as DeviceRecord
      return {
        state: doc.lastState?.ts,
        inventory: doc.inventoryHash,
        name: doc.name,
        seq: doc.seq,
        columns: { last: row?.seq_last, kinds: row?.seq_kinds },
      }
    }
    /** Applies message `seq` (a state or an inventory) on `hub`'s copy: its change and its sequence. */
    const apply = (hub: typeof a, kind: 'state' | 'inventory', seq: number, epoch = 'e') => {
      const held = hub.devices.get('d4') as DeviceRecord
      const same = held.seq?.epoch === epoch
      hub.devices.put({
        ...held,
        ...(kind === 'state'
          ? { lastState: { status: 'online' as const, ts: `state${seq}` } }
          : { inventoryHash: `inv${seq}` }),
        seq: {
          epoch,
          last: Math.max(same ? (held.seq?.last ?? 0) : 0, seq),
          kinds: { ...(same ? held.seq?.kinds : {}), [kind]: seq },
        },
      })
    }
    const refused = async (hub: typeof a, write: () => void) => {
      const mark = hub.refusalMark()
      write()
      await hub.commit()
      return hub.refusedSince('devices', 'd4', mark)
    }

    // States 11 and 12 were handed to a and b; b finishes 12 first. a's write is refused (its copy is
    // stale) and its copy reloaded.
    expect(await refused(b, () => apply(b, 'state', 12))).toBe(false)
    expect(await refused(a, () => apply(a, 'state', 11))).toBe(true)
    expect(a.devices.get('d4')?.lastState?.ts).toBe('state12')
    // State 11 applied again on a's fresh copy (at the stored version): refused by its sequence alone,
    // even with another change of the record after it in the round.
    expect(
      await refused(a, () => {
        apply(a, 'state', 11)
        a.devices.put({ ...(a.devices.get('d4') as DeviceRecord), online: true })
      }),
    ).toBe(true)
    expect(a.devices.get('d4')).toMatchObject({ lastState: { ts: 'state12' }, online: false })
    expect(await stored()).toMatchObject({
      state: 'state12',
      inventory: undefined,
      seq: { epoch: 'e', last: 12, kinds: { state: 12, inventory: 10 } },
      columns: { last: '12', kinds: { state: 12, inventory: 10 } },
    })
    // A slow inventory (11) after that quick state (12) is another kind: applied to the fresh copy.
    expect(await refused(a, () => apply(a, 'inventory', 11))).toBe(false)
    expect(await stored()).toMatchObject({
      state: 'state12',
      inventory: 'inv11',
      columns: { last: '12', kinds: { state: 12, inventory: 11 } },
    })

    // The other order: b (stale since) finishes state 14 after a stored 13: refused on its version,
    // reloaded, and 14 applied again to the fresh copy is taken.
    expect(await refused(a, () => apply(a, 'state', 13))).toBe(false)
    expect(await refused(b, () => apply(b, 'state', 14))).toBe(true)
    expect(b.devices.get('d4')?.lastState?.ts).toBe('state13')
    expect(await refused(b, () => apply(b, 'state', 14))).toBe(false)
    expect(await stored()).toMatchObject({ state: 'state14', inventory: 'inv11', columns: { last: '14' } })

    // An operator's change on a fresh copy is taken and keeps the sequence; a message of a new epoch (a
    // wiped agent state directory) is applied whatever its number.
    const rename = () => b.devices.put({ ...(b.devices.get('d4') as DeviceRecord), name: 'ward-3' })
    expect(await refused(b, rename)).toBe(false)
    expect(await stored()).toMatchObject({ name: 'ward-3', columns: { last: '14' } })
    expect(await refused(b, () => apply(b, 'state', 1, 'f'))).toBe(false)
    expect(await stored()).toMatchObject({ state: 'state1', columns: { last: '1', kinds: { state: 1 } } })
  })

  it('stores a device event once when two hubs each got the message', async () => {
    const url = await server.createDatabase()
    const a = await open(url)
    const b = await open(url)
    const entry = (seq: number): DeviceEventRecord => ({
      deviceId: 'd3',
      receivedAt: 'now',
      event: { id: `ev${seq}`, kind: 'login-failed', message: 'm', ts: 'now', seq, epoch: 'e' } as never,
    })
    a.events.append(entry(1))
    b.events.append(entry(1))
    b.events.append(entry(2))
    a.events.append({
      deviceId: 'd3',
      receivedAt: 'now',
      event: { id: 'x', kind: 'login-failed', message: 'm', ts: 'now' } as never,
    })
    a.events.append({
      deviceId: 'd3',
      receivedAt: 'now',
      event: { id: 'x', kind: 'login-failed', message: 'm', ts: 'now' } as never,
    })
    await Promise.all([a.commit(), b.commit()])
    const rows = await query<{ id: string; n: string }>(
      url,
      `SELECT entry::jsonb->'event'->>'id' AS id, count(*)::text AS n FROM vigil_logs WHERE log = 'events' GROUP BY 1 ORDER BY 1`,
    )
    // Unsequenced entries are not deduplicated by the database (the pipeline's recent ids do that).
    expect(rows).toEqual([
      { id: 'ev1', n: '1' },
      { id: 'ev2', n: '1' },
      { id: 'x', n: '2' },
    ])
    // Each hub reads every hub's committed entries, newest first, none twice.
    for (const store of [a, b])
      expect((await store.events.read()).map((e) => e.event.id).sort()).toEqual(['ev1', 'ev2', 'x', 'x'])
  })
})
