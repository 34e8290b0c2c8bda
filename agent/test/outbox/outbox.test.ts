import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createOutbox, nodeOutboxFs, type OutboxFs, type OutboxItem } from '../../src/outbox/outbox.ts'
import { BLOCK } from '../../src/outbox/sequence.ts'
import { tempDir } from '../helpers/setup.ts'

/** The real file system with a byte quota: writes beyond it fail with ENOSPC, like a full disk. */
function quotaFs(quota: number): OutboxFs & { used(): number; quota: number } {
  const sizes = new Map<string, number>()
  const used = () => [...sizes.values()].reduce((a, b) => a + b, 0)
  const fs = {
    ...nodeOutboxFs,
    quota,
    used,
    async writeFile(file: string, data: string, sync: boolean) {
      if (used() + data.length > fs.quota)
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
      await nodeOutboxFs.writeFile(file, data, sync)
      sizes.set(file, data.length)
    },
    async rename(a: string, b: string) {
      await nodeOutboxFs.rename(a, b)
      sizes.set(b, sizes.get(a) ?? 0)
      sizes.delete(a)
    },
    async unlink(file: string) {
      await nodeOutboxFs.unlink(file)
      sizes.delete(file)
    },
  }
  return fs
}

type Sequenced = { seq: number; epoch: string; n?: number }
const seqOf = (item: OutboxItem) => (item.payload as Sequenced).seq

async function drainAll(o: ReturnType<typeof createOutbox>): Promise<unknown[]> {
  const seen: unknown[] = []
  for (let item = o.next(); item; item = o.next()) {
    seen.push(item.payload)
    await o.remove(item)
  }
  return seen
}

describe('outbox', () => {
  it('keeps state on disk in seq order across a restart, each message carrying seq and epoch', async () => {
    const dir = await tempDir()
    const a = createOutbox({ dir, maxTelemetry: 10 })
    await a.load()
    await a.add('event', { n: 1 })
    await a.addTelemetry({ t: 1 })
    await a.add('inventory', { n: 2 })
    await a.add('event', { n: 3 })
    const b = createOutbox({ dir, maxTelemetry: 10 })
    await b.load()
    expect(b.epoch).toBe(a.epoch)
    expect(b.epoch).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
    expect(b.depth()).toEqual({ state: 3, telemetry: 1 })
    const seen = (await drainAll(b)) as Sequenced[]
    expect(seen.map((p) => p.n ?? 't')).toEqual([1, 2, 3, 't'])
    expect(seen.slice(0, 3).map((p) => p.seq)).toEqual([1, 2, 3])
    expect(seen.slice(0, 3).every((p) => p.epoch === a.epoch)).toBe(true)
    expect(seen[3]).toEqual({ t: 1 }) // telemetry is never sequenced
    expect(await readdir(dir)).toEqual(['sequence.json'])
  })

  it('continues the sequence after restarts with an empty outbox; a wiped directory starts a new epoch', async () => {
    const dir = await tempDir()
    let last = 0
    let epoch = ''
    for (let run = 0; run < 3; run++) {
      const o = createOutbox({ dir, maxTelemetry: 10 })
      await o.load()
      if (epoch) expect(o.epoch).toBe(epoch)
      epoch = o.epoch
      const item = await o.add('event', { run })
      expect(seqOf(item)).toBeGreaterThan(last)
      last = seqOf(item)
      await drainAll(o)
    }
    await rm(dir, { recursive: true })
    const fresh = createOutbox({ dir, maxTelemetry: 10 })
    await fresh.load()
    expect(fresh.epoch).not.toBe(epoch)
  })

  it('reserves sequence numbers in blocks: no write of the counter per message', async () => {
    const dir = await tempDir()
    let counterWrites = 0
    const fs: OutboxFs = {
      ...nodeOutboxFs,
      async writeFile(file, data, sync) {
        if (file.includes('sequence.json')) counterWrites++
        await nodeOutboxFs.writeFile(file, data, sync)
      },
    }
    const o = createOutbox({ dir, maxTelemetry: 10, fs })
    await o.load()
    for (let i = 0; i < 200; i++) await o.remove(await o.add('event', { i }))
    expect(counterWrites).toBe(1)
    expect(JSON.parse(await readFile(join(dir, 'sequence.json'), 'utf8'))).toEqual({
      epoch: o.epoch,
      reserved: BLOCK,
    })
  })

  it('an item is deliverable only once its file is on disk, and nothing delivered stays behind', async () => {
    const dir = await tempDir()
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => {
      release = r
    })
    const slow: OutboxFs = {
      ...nodeOutboxFs,
      async writeFile(file, data, sync) {
        if (file.includes('/s-')) await gate
        await nodeOutboxFs.writeFile(file, data, sync)
      },
    }
    const o = createOutbox({ dir, maxTelemetry: 10, fs: slow })
    await o.load()
    const added = Promise.all([o.add('event', { n: 1 }), o.add('hardening', { n: 2 })])
    await new Promise((r) => setTimeout(r, 20))
    expect(o.next()).toBeUndefined()
    release()
    // a drain racing the adds delivers each item only after its file exists
    const delivered: number[] = []
    const drain = async () => {
      while (delivered.length < 2) {
        const item = o.next()
        if (!item) {
          await new Promise((r) => setTimeout(r, 1))
          continue
        }
        expect(await readdir(dir)).toContain(`s-${String(item.seq).padStart(12, '0')}.json`)
        delivered.push(seqOf(item))
        await o.remove(item)
      }
    }
    await Promise.all([added, drain()])
    expect(delivered).toEqual([1, 2])
    expect(await readdir(dir)).toEqual(['sequence.json'])
    const again = createOutbox({ dir, maxTelemetry: 10 })
    await again.load()
    expect(again.next()).toBeUndefined()
  })

  it('bounds telemetry by thinning old samples and always keeps the newest', async () => {
    const dir = await tempDir()
    const o = createOutbox({ dir, maxTelemetry: 8 })
    await o.load()
    for (let i = 0; i < 100; i++) await o.addTelemetry({ i })
    expect(o.depth().telemetry).toBeLessThanOrEqual(8)
    const kept = ((await drainAll(o)) as { i: number }[]).map((p) => p.i)
    expect(kept.at(-1)).toBe(99)
    expect(kept).toEqual([...kept].sort((a, b) => a - b))
  })

  it('moves an unreadable (crash-truncated) file aside and reports it', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 's-000000000001.json'), '{"kind":"event","payl')
    await writeFile(
      join(dir, 's-000000000002.json'),
      JSON.stringify({ kind: 'event', payload: { ok: true } }),
    )
    const errors: string[] = []
    const o = createOutbox({ dir, maxTelemetry: 8, onError: (m) => errors.push(m) })
    await o.load()
    expect(o.next()?.payload).toEqual({ ok: true })
    expect(errors[0]).toMatch(/s-000000000001.json is unreadable/)
    expect(await readdir(dir)).toContain('bad-s-000000000001.json')
    // numbering continues above what was found on disk
    expect(seqOf(await o.add('event', {}))).toBeGreaterThan(2)
  })

  it('disk full: telemetry is thinned first, then state is held in memory, bounded, in one seq order', async () => {
    const dir = await tempDir()
    const fs = quotaFs(4000)
    const errors: string[] = []
    const o = createOutbox({ dir, maxTelemetry: 1000, maxMemoryItems: 3, fs, onError: (m) => errors.push(m) })
    await o.load()
    for (let i = 0; i < 200; i++) await o.addTelemetry({ pad: 'x'.repeat(80), i })
    const before = o.depth().telemetry
    expect(fs.used()).toBeLessThanOrEqual(4000)
    const first = await o.add('hardening', { n: 1, big: 'y'.repeat(1500) })
    expect(first.memoryOnly).toBeUndefined()
    expect(o.depth().telemetry).toBeLessThan(before)
    fs.quota = fs.used() // the disk is full now
    const held: OutboxItem[] = []
    for (let n = 2; n <= 5; n++) held.push(await o.add('hardening', { n }))
    for (let n = 6; n <= 11; n++) held.push(await o.add('event', { n }))
    expect(held.every((h) => h.memoryOnly)).toBe(true)
    expect(errors.join('\n')).toMatch(/held in memory/)
    // only the newest held hardening report, and at most 3 held events, stay in memory
    const pending = o.pending('hardening') as Sequenced[]
    expect(pending.map((p) => p.n)).toEqual([1, 5])
    expect((o.pending('event') as Sequenced[]).map((p) => p.n)).toEqual([9, 10, 11])
    // space comes back: a new message is written, and so is what was held, in its place in the order
    fs.quota = 1_000_000
    await o.add('event', { n: 12 })
    expect(o.pending('event').length).toBe(4)
    const restarted = createOutbox({ dir, maxTelemetry: 1000, fs })
    await restarted.load()
    const order = ((await drainAll(restarted)) as Sequenced[]).filter((p) => p.seq)
    expect(order.map((p) => p.n)).toEqual([1, 5, 9, 10, 11, 12])
    expect(order.map((p) => p.seq)).toEqual([...order.map((p) => p.seq)].sort((a, b) => a - b))
  })

  it('moves to a new epoch when the sequence reservation cannot be written', async () => {
    const dir = await tempDir()
    const a = createOutbox({ dir, maxTelemetry: 10 })
    await a.load()
    const fs = quotaFs(0)
    const b = createOutbox({ dir, maxTelemetry: 10, fs, onError: () => undefined })
    await b.load()
    expect(b.epoch).not.toBe(a.epoch)
    const item = await b.add('event', {})
    expect(item.memoryOnly).toBe(true)
    expect((item.payload as Sequenced).epoch).toBe(b.epoch)
  })
})
