import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ShardedCollection, shardOf } from '../../src/store/collection.ts'
import { StorageError } from '../../src/store/errors.ts'
import type { JournalEntry } from '../../src/store/journal.ts'
import { tempDir } from '../helpers.ts'

type Rec = { id: string; n: number }

const sink = { append() {}, atomic: <R>(job: () => R) => job() }
const collection = (dir: string, shards = 16) =>
  new ShardedCollection<Rec>(dir, { name: 'things', shards, schemaVersion: 1 }, sink)

describe('ShardedCollection', () => {
  it('writes every dirty shard in one flush and reads the same records back', async () => {
    const dir = await tempDir()
    const c = collection(dir)
    for (let i = 0; i < 500; i++) c.put({ id: `r${i}`, n: i })
    const result = await c.flush()
    expect(result.files).toBe(16)
    expect(result.bytes).toBeGreaterThan(500 * 10)
    expect(c.isDirty).toBe(false)
    expect((await readdir(join(dir, 'things'))).filter((f) => f.endsWith('.json'))).toHaveLength(16)
    const again = collection(dir)
    expect(await again.load()).toBe(1)
    expect(again.size).toBe(500)
    expect(again.get('r321')).toEqual({ id: 'r321', n: 321 })
  })

  it('keeps a record changed in place by putVolatile, and a delete reaches the file', async () => {
    const dir = await tempDir()
    const c = collection(dir, 4)
    const r: Rec = { id: 'a', n: 1 }
    c.put(r)
    c.put({ id: 'b', n: 2 })
    await c.flush()
    r.n = 5
    c.putVolatile(r)
    expect(c.isDirty).toBe(false)
    expect(c.get('a')?.n).toBe(5)
    // A volatile change is written with the record's next persistent change.
    c.put(r)
    expect(c.delete('b')).toBe(true)
    expect(c.delete('b')).toBe(false)
    await c.flush()
    const again = collection(dir, 4)
    await again.load()
    expect(again.get('a')?.n).toBe(5)
    expect(again.get('b')).toBeUndefined()
    expect(again.size).toBe(1)
  })

  it('keeps a shard that could not be written dirty, and writes it at the next flush', async () => {
    const dir = await tempDir()
    const c = collection(dir, 8)
    for (let i = 0; i < 100; i++) c.put({ id: `r${i}`, n: i })
    await c.flush()
    const blocked = shardOf('r0', 8)
    // A directory in place of the shard's file: its rename fails, the other shards still get written.
    const target = join(dir, 'things', `${blocked}.json`)
    await rm(target)
    await mkdir(join(target, 'x'), { recursive: true })
    for (let i = 0; i < 100; i++) c.put({ id: `r${i}`, n: i + 1000 })
    await expect(c.flush()).rejects.toThrow()
    expect(c.isDirty).toBe(true)
    await rm(target, { recursive: true })
    const result = await c.flush()
    expect(result.files).toBeGreaterThanOrEqual(1)
    const file = JSON.parse(await readFile(target, 'utf8')) as { items: Rec[] }
    expect(file.items.find((r) => r.id === 'r0')?.n).toBe(1000)
  })

  it('creates the directory again when it was removed while running', async () => {
    const dir = await tempDir()
    const c = collection(dir, 4)
    c.put({ id: 'a', n: 1 })
    await c.flush()
    await rm(join(dir, 'things'), { recursive: true })
    c.put({ id: 'a', n: 2 })
    await c.flush()
    const again = collection(dir, 4)
    await again.load()
    expect(again.get('a')?.n).toBe(2)
  })

  it('each shard file holds exactly its records and their versions, through puts, deletes and flushes', async () => {
    const op = fc.oneof(
      fc.record({ put: fc.integer({ min: 0, max: 40 }), n: fc.integer() }),
      fc.record({ del: fc.integer({ min: 0, max: 40 }) }),
      fc.constant({ flush: true as const }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const dir = await tempDir()
        const c = collection(dir, 4)
        await c.load()
        const model = new Map<string, { n: number; version: number }>()
        for (const o of ops) {
          if ('put' in o) {
            const id = `r${o.put}`
            c.put({ id, n: o.n })
            model.set(id, { n: o.n, version: (model.get(id)?.version ?? 0) + 1 })
          } else if ('del' in o) {
            expect(c.delete(`r${o.del}`)).toBe(model.delete(`r${o.del}`))
          } else await c.flush()
          for (const [id, m] of model) expect(c.versionOf(id)).toBe(m.version)
        }
        await c.flush()
        for (let shard = 0; shard < 4; shard++) {
          const file = JSON.parse(await readFile(join(dir, 'things', `${shard}.json`), 'utf8')) as {
            items: Rec[]
            versions: Record<string, number>
          }
          const mine = [...model].filter(([id]) => shardOf(id, 4) === shard)
          expect(file.items.map((r) => r.id).sort()).toEqual(mine.map(([id]) => id).sort())
          for (const [id, m] of mine) expect(file.versions[id]).toBe(m.version)
        }
        const again = collection(dir, 4)
        await again.load()
        expect(again.size).toBe(model.size)
        for (const [id, m] of model) {
          expect(again.get(id)).toEqual({ id, n: m.n })
          expect(again.versionOf(id)).toBe(m.version)
        }
        await rm(dir, { recursive: true, force: true })
      }),
      { numRuns: 40 },
    )
  })

  describe('putMany', () => {
    type Loose = { id: string } & Record<string, unknown>
    /** A collection whose journal entries are kept, as the journal would read them back. */
    const journaled = () => {
      const entries: JournalEntry[] = []
      const sink = {
        append(json: string, prefix = '', suffix = '') {
          entries.push(JSON.parse(prefix + json + suffix) as JournalEntry)
        },
        atomic: <R>(job: () => R) => job(),
      }
      return {
        entries,
        c: new ShardedCollection<Loose>(
          '/nonexistent',
          { name: 'things', shards: 4, schemaVersion: 1 },
          sink,
        ),
      }
    }
    const replayed = (entries: JournalEntry[]) => {
      const again = new ShardedCollection<Loose>(
        '/nonexistent',
        { name: 'things', shards: 4, schemaVersion: 1 },
        sink,
      )
      for (const e of entries) if ('c' in e) again.replay(e)
      return again
    }
    /** What a record is once stored (JSON drops undefined fields). */
    const stored = (r: Loose) => JSON.parse(JSON.stringify(r)) as Loose

    it('writes records sharing fields as one entry, each shared value once, and replays them whole', () => {
      const { c, entries } = journaled()
      const base = {
        advisory: 'ICSA-20-056-01',
        firstSeen: '2026-12-07T08:00:00.000Z',
        state: 'open',
        owner: null,
      }
      const records = Array.from({ length: 8 }, (_, i) => ({
        id: `f${i}`,
        deviceId: 'dev-1',
        ...base,
        cve: `CVE-2020-${1000 + i}`,
        decision: { why: `w${i}` },
      }))
      c.put({ id: 'f0', deviceId: 'dev-1', old: true })
      c.putMany(records)
      expect(entries).toHaveLength(2)
      const batch = entries[1] as Extract<JournalEntry, { op: 'puts' }>
      expect(batch.op).toBe('puts')
      // Shared: deviceId and the four fields of `base`; in columns: id, cve, decision.
      expect(batch.b.one).toEqual([1, 'dev-1', 2, base.advisory, 3, base.firstSeen, 4, 'open', 5, null])
      expect(batch.b.cols).toHaveLength(3)
      expect(batch.b.n).toEqual([2, 1, 1, 1, 1, 1, 1, 1])
      expect(JSON.stringify(batch).split(base.firstSeen)).toHaveLength(2)
      const again = replayed(entries)
      for (const r of records) {
        expect(again.get(r.id)).toEqual(r)
        expect(again.versionOf(r.id)).toBe(c.versionOf(r.id))
      }
      // A shared object value would be one object in every replayed record: objects are never shared.
      expect(again.get('f1')?.decision).not.toBe(again.get('f2')?.decision)
    })

    it('stores a record with its own toJSON as that says, not field by field', () => {
      const { c, entries } = journaled()
      class Shaped {
        constructor(
          readonly id: string,
          readonly secret: string,
        ) {}
        toJSON() {
          return { id: this.id, secret: '[hidden]' }
        }
      }
      c.putMany([new Shaped('a', 'x'), new Shaped('b', 'y')] as unknown as Loose[])
      expect(replayed(entries).get('b')).toEqual({ id: 'b', secret: '[hidden]' })
      expect(replayed(entries).get('a')).toEqual({ id: 'a', secret: '[hidden]' })
    })

    it('refuses to replay a change of a kind it does not know, rather than drop it', () => {
      const c = journaled().c
      const entry = { c: 'things', s: 4, v: 1, op: 'upsert', r: { id: 'x' } } as unknown as JournalEntry
      expect(() => c.replay(entry as Extract<JournalEntry, { c: string }>)).toThrow(/unknown kind "upsert"/)
      expect(c.size).toBe(0)
    })

    it('refuses a batch holding a record it cannot serialise before anything changes', () => {
      const { c, entries } = journaled()
      let deep: unknown = {}
      for (let i = 0; i < 100_000; i++) deep = { d: deep }
      for (const odd of [false, true]) {
        const rogue: Loose = odd ? { id: 'rogue', deep, extra: 1 } : { id: 'rogue', deep }
        expect(() => c.putMany([{ id: 'fine', deep: 1 }, rogue])).toThrow(StorageError)
        expect(c.get('fine')).toBeUndefined()
        expect(c.isDirty).toBe(false)
        expect(entries).toHaveLength(0)
      }
    })

    it('stores what put would, whatever the records hold, and replays to the same records and versions', () => {
      const value = fc.oneof(
        fc.constant(undefined),
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        fc.double(),
        fc.constantFrom('', 'open', 'x"\\\n\u2028é'),
        fc.string(),
        fc.array(fc.integer(), { maxLength: 3 }),
        fc.record({ a: fc.oneof(fc.string(), fc.constant(null)) }),
      )
      const record = fc.record(
        {
          id: fc.integer({ min: 0, max: 12 }).map((n) => `r${n}`),
          a: value,
          b: value,
          c: fc.constantFrom('same', 'other'),
          __proto__: fc.constant('own'),
        },
        { requiredKeys: ['id'] },
      )
      fc.assert(
        fc.property(fc.array(fc.array(record, { maxLength: 6 }), { maxLength: 5 }), (batches) => {
          const { c, entries } = journaled()
          const model = new Map<string, { r: Loose; version: number }>()
          for (const batch of batches) {
            c.putMany(batch)
            // `put` of each record, except that a record named twice in one batch rises one version.
            const before = new Map(batch.map((r) => [r.id, model.get(r.id)?.version ?? 0]))
            for (const r of batch) model.set(r.id, { r: stored(r), version: (before.get(r.id) ?? 0) + 1 })
          }
          const again = replayed(entries)
          expect(c.size).toBe(model.size)
          expect(again.size).toBe(model.size)
          for (const [id, m] of model) {
            expect(stored(c.get(id) as Loose)).toEqual(m.r)
            expect(again.get(id)).toEqual(m.r)
            expect(Object.getPrototypeOf(again.get(id))).toBe(Object.prototype)
            expect(c.versionOf(id)).toBe(m.version)
            expect(again.versionOf(id)).toBe(m.version)
          }
        }),
        { numRuns: 300 },
      )
    })
  })
})
