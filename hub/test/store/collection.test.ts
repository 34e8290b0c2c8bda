import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ShardedCollection, shardOf } from '../../src/store/collection.ts'
import { tempDir } from '../helpers.ts'

type Rec = { id: string; n: number }

const sink = { append() {} }
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
})
