import { appendFile, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { JsonlLog } from '../../src/store/append-log.ts'
import { tempDir } from '../helpers.ts'

async function openLog(path: string, opts?: ConstructorParameters<typeof JsonlLog>[1]) {
  const log = new JsonlLog<Entry>(path, opts)
  await log.open()
  return log
}

interface Entry {
  n: number
  device: string
}
const entry = (n: number): Entry => ({ n, device: n % 3 === 0 ? 'quiet' : 'busy' })

describe('JsonlLog', () => {
  it('seals full segments and reads newest first across them, with filter and offset', async () => {
    const dir = await tempDir()
    const log = await openLog(join(dir, 'events.jsonl'), { maxSegmentBytes: 200 })
    for (let i = 1; i <= 60; i++) {
      log.append(entry(i))
      if (i % 7 === 0) await log.persist() // several drains, as a running hub does
    }
    await log.persist()
    const files = (await readdir(dir)).sort()
    expect(files.length).toBeGreaterThan(3) // a segment is sealed after the drain that fills it
    expect(files.at(-1)).toBe('events.jsonl')
    expect(files[0]).toBe('events.000001.jsonl')
    const all = await log.read({ limit: 1000 })
    expect(all.map((e) => e.n)).toEqual(Array.from({ length: 60 }, (_, i) => 60 - i))
    expect((await log.read({ limit: 3 })).map((e) => e.n)).toEqual([60, 59, 58])
    const quiet = await log.read({ limit: 4, offset: 2, filter: (e) => e.device === 'quiet' })
    expect(quiet.map((e) => e.n)).toEqual([54, 51, 48, 45])
  })

  it('keeps at most maxSegments sealed segments when told to', async () => {
    const dir = await tempDir()
    const log = await openLog(join(dir, 'events.jsonl'), { maxSegmentBytes: 100, maxSegments: 2 })
    for (let i = 1; i <= 40; i++) {
      log.append(entry(i))
      await log.persist()
    }
    const sealed = (await readdir(dir)).filter((f) => f !== 'events.jsonl')
    expect(sealed).toHaveLength(2)
    const kept = await log.read({ limit: 1000 })
    expect(kept[0]?.n).toBe(40)
    expect(kept.length).toBeLessThan(40)
    // What is kept is the newest history, without gaps.
    expect(kept.map((e) => e.n)).toEqual(Array.from({ length: kept.length }, (_, i) => 40 - i))
  })

  it('continues segment numbering after a restart, and reads the older process’s segments', async () => {
    const dir = await tempDir()
    const first = await openLog(join(dir, 'audit.jsonl'), { maxSegmentBytes: 100 })
    for (let i = 1; i <= 10; i++) first.append(entry(i))
    await first.persist()
    const second = await openLog(join(dir, 'audit.jsonl'), { maxSegmentBytes: 100 })
    for (let i = 11; i <= 20; i++) second.append(entry(i))
    await second.persist()
    expect((await second.read({ limit: 100 })).map((e) => e.n)).toEqual(
      Array.from({ length: 20 }, (_, i) => 20 - i),
    )
    const seqs = (await readdir(dir)).filter((f) => f !== 'audit.jsonl')
    expect(new Set(seqs).size).toBe(seqs.length)
  })

  it('after a torn last line (kill -9), the next entry starts on its own line and is kept', async () => {
    const dir = await tempDir()
    const path = join(dir, 'audit.jsonl')
    const before = await openLog(path)
    before.append(entry(1))
    await before.persist()
    await appendFile(path, '{"n":2,"dev')
    const after = await openLog(path)
    after.append(entry(3))
    await after.persist()
    expect((await after.read()).map((e) => e.n)).toEqual([3, 1])
    expect((await readFile(path, 'utf8')).split('\n').at(-2)).toBe(JSON.stringify(entry(3)))
  })

  it('reads while appends are in flight without losing or duplicating entries', async () => {
    const dir = await tempDir()
    const log = await openLog(join(dir, 'events.jsonl'), { maxSegmentBytes: 150 })
    const reads: Promise<Entry[]>[] = []
    for (let i = 1; i <= 50; i++) {
      log.append(entry(i))
      if (i % 10 === 0) reads.push(log.read({ limit: 1000 }))
    }
    const results = await Promise.all(reads)
    results.forEach((r, k) => {
      // A read sees at least what was appended before it, newest first, without gaps or repeats.
      expect(r.length).toBeGreaterThanOrEqual((k + 1) * 10)
      expect(r.map((e) => e.n)).toEqual(Array.from({ length: r.length }, (_, i) => r.length - i))
    })
    expect((await log.read({ limit: 1000 })).map((e) => e.n)).toEqual(
      Array.from({ length: 50 }, (_, i) => 50 - i),
    )
  })
})
