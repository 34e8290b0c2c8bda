import { appendFile, cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { LowdbStore } from '../../src/store/lowdb-store.ts'
import { migrate, SCHEMA_VERSION, StoreVersionError } from '../../src/store/migrations.ts'
import type { DeviceRecord } from '../../src/store/types.ts'
import { tempDir } from '../helpers.ts'

const device = (id: string): DeviceRecord => ({
  id,
  name: `gw-${id}`,
  secretHash: 'f'.repeat(64),
  disabled: false,
  enrolledAt: new Date(0).toISOString(),
  lastSeen: null,
  online: false,
})

async function open(dataDir: string, flushIntervalMs = 60_000) {
  const store = await LowdbStore.open({ dataDir, flushIntervalMs, deviceShards: 8 })
  onTestFinished(() => store.close())
  return store
}

describe('LowdbStore', () => {
  it('persists collections across reopen, in split files with a schema version', async () => {
    const dir = await tempDir()
    const store = await open(dir)
    for (let i = 0; i < 50; i++) store.devices.put(device(`d${i}`))
    store.users.put({ id: 'u1', username: 'x', role: 'admin', passwordHash: 'h', createdAt: 'now' })
    await store.close()
    expect(JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8'))).toMatchObject({
      schemaVersion: SCHEMA_VERSION,
    })
    expect((await readdir(join(dir, 'devices'))).length).toBe(8)
    const again = await open(dir)
    expect(again.devices.size).toBe(50)
    expect(again.devices.get('d7')?.name).toBe('gw-d7')
    expect(again.users.get('u1')?.username).toBe('x')
  })

  it('recovers records stored together (putMany) from the journal alone, in one line a third the size', async () => {
    const dir = await tempDir()
    const store = await open(dir)
    type F = { id: string; deviceId: string; advisory: string; cve: string; state: string; owner: null }
    const findings = await store.collection<F>('things/findings', { shards: 4 })
    const records = Array.from({ length: 200 }, (_, i) => ({
      id: `finding-${i}`,
      deviceId: 'dev-1',
      advisory: 'ICSA-20-056-01',
      cve: `CVE-2020-${1000 + i}`,
      state: 'open',
      owner: null,
    }))
    findings.put({ ...(records[0] as F), state: 'resolved' })
    findings.putMany(records)
    await store.commit()
    // The files as a crash right after the commit leaves them: shard files not written, the journal whole.
    const crashed = await tempDir()
    await cp(dir, crashed, { recursive: true, filter: (src) => !src.endsWith('hub.lock') })
    const lines = (await readdir(join(crashed, 'journal'))).length
    const journal = await readFile(
      join(crashed, 'journal', (await readdir(join(crashed, 'journal')))[lines - 1] ?? ''),
      'utf8',
    )
    const batchLine = journal.split('\n').find((l) => l.includes('"op":"puts"')) ?? ''
    expect(batchLine.length).toBeLessThan(JSON.stringify(records).length / 3)
    const again = await open(crashed)
    const recovered = await again.collection<F>('things/findings', { shards: 4 })
    expect(recovered.size).toBe(200)
    for (const r of records) expect(recovered.get(r.id)).toEqual(r)
    expect(recovered.versionOf('finding-0')).toBe(2)
    expect(recovered.versionOf('finding-1')).toBe(1)
  })

  it('rewrites only the shards that changed', async () => {
    const dir = await tempDir()
    const store = await open(dir)
    for (let i = 0; i < 64; i++) store.devices.put(device(`d${i}`))
    await store.flush()
    store.devices.put({ ...device('d1'), name: 'renamed' })
    const written: string[] = []
    const before = new Map<string, string>()
    for (const f of await readdir(join(dir, 'devices')))
      before.set(f, await readFile(join(dir, 'devices', f), 'utf8'))
    await store.flush()
    for (const f of await readdir(join(dir, 'devices'))) {
      if ((await readFile(join(dir, 'devices', f), 'utf8')) !== before.get(f)) written.push(f)
    }
    expect(written).toHaveLength(1)
    expect(store.stats().lastFlushBytes).toBeLessThan([...before.values()].join('').length)
  })

  it('flushes on its timer, never per change', async () => {
    const dir = await tempDir()
    const store = await open(dir, 20)
    store.devices.put(device('late'))
    await expect
      .poll(async () => (await readdir(join(dir, 'devices')).catch(() => [])).length)
      .toBeGreaterThan(0)
    expect(store.stats().flushes).toBeGreaterThanOrEqual(1)
  })

  it('keeps content-addressed blobs once and appends logs, skipping a torn last line', async () => {
    const dir = await tempDir()
    const store = await open(dir)
    const hash = 'c'.repeat(64)
    const inv = {
      v: 1,
      ts: 'x',
      hash,
      os: { platform: 'linux', id: 'debian', kernel: 'k', arch: 'x64' },
      packages: [],
    }
    await store.inventories.put(hash, inv as never)
    await store.inventories.put(hash, inv as never)
    expect(await readdir(join(dir, 'inventories'))).toEqual([`${hash}.json`])
    await expect(store.inventories.put('../etc/passwd', inv as never)).rejects.toThrow(/sha256/)
    store.audit.append({ ts: '1', actor: 'a', action: 'x', ok: true })
    store.audit.append({ ts: '2', actor: 'a', action: 'y', ok: true })
    await store.close()
    await appendFile(join(dir, 'audit.jsonl'), '{"ts":"3","act')
    const again = await open(dir)
    expect(again.inventories.has(hash)).toBe(true)
    expect((await again.inventories.get(hash))?.hash).toBe(hash)
    expect((await again.audit.read()).map((e) => e.action)).toEqual(['y', 'x'])
    expect((await again.audit.read({ offset: 1, limit: 1 })).map((e) => e.action)).toEqual(['x'])
  })

  it('stages a content-addressed document at once and writes it in the next commit round', async () => {
    const dir = await tempDir()
    const store = await open(dir)
    const hash = 'd'.repeat(64)
    const stored = store.inventories.put(hash, { hash, packages: [] } as never)
    // Staged synchronously: known and served at once, before any round could run. (Whether the file is
    // on disk yet is not asserted: an idle store starts the round at the end of this turn, so it races.)
    expect(store.inventories.has(hash)).toBe(true)
    expect(store.inventories.keys()).toEqual([hash])
    const served = store.inventories.get(hash)
    expect((await served)?.hash).toBe(hash)
    await stored
    expect(await readdir(join(dir, 'inventories'))).toEqual([`${hash}.json`])
    expect(JSON.parse(await readFile(join(dir, 'inventories', `${hash}.json`), 'utf8'))).toEqual({
      hash,
      packages: [],
    })
  })

  it("writes a round's documents before the journal lines that may name them, and retries both", async () => {
    const dir = await tempDir()
    const store = await open(dir)
    await store.commit()
    const hash = 'e'.repeat(64)
    // The documents' directory cannot be written: the round fails before the journal is written.
    await rm(join(dir, 'inventories'), { recursive: true })
    await writeFile(join(dir, 'inventories'), 'not a directory')
    const stored = store.inventories.put(hash, { hash, packages: [] } as never)
    stored.catch(() => undefined)
    store.devices.put({ ...device('names-it'), inventoryHash: hash })
    await expect(store.commit()).rejects.toMatchObject({ code: 'STORAGE_FAILED' })
    await expect(stored).rejects.toBeDefined()
    const journal = async () => {
      const files = await readdir(join(dir, 'journal'))
      return (await Promise.all(files.map((f) => readFile(join(dir, 'journal', f), 'utf8')))).join('')
    }
    expect(await journal()).not.toContain('names-it')
    expect(store.inventories.has(hash)).toBe(true)
    // Space returns: the retry writes the document, then the line.
    await rm(join(dir, 'inventories'))
    await mkdir(join(dir, 'inventories'))
    await expect.poll(() => store.health().ok, { timeout: 5000 }).toBe(true)
    await store.commit()
    expect(await journal()).toContain('names-it')
    expect(await readdir(join(dir, 'inventories'))).toEqual([`${hash}.json`])
  })

  it('refuses a data directory written by a newer hub', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'meta.json'), JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1 }))
    await expect(LowdbStore.open({ dataDir: dir, flushIntervalMs: 1000 })).rejects.toThrow(StoreVersionError)
  })

  it('runs migrations in order from the version on disk', () => {
    const data = { users: [], sessions: [], tokens: [], devices: [] }
    expect(migrate(data, 0)).toBe(SCHEMA_VERSION)
    expect(() => migrate(data, -5)).toThrow(/no migration/)
  })
})
