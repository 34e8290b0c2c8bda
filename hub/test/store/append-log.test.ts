import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LowdbStore } from '../../src/store/lowdb-store.ts'
import type { LogOptions } from '../../src/store/types.ts'
import { tempDir } from '../helpers.ts'

interface Entry {
  n: number
  device: string
}
const entry = (n: number): Entry => ({ n, device: n % 3 === 0 ? 'quiet' : 'busy' })

async function openLog(dir: string, name: string, opts: LogOptions = {}) {
  const store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 60_000 })
  return { store, log: await store.log<Entry>(name, opts) }
}

describe('append-only logs of the store', () => {
  it('begins new segments and reads newest first across them, with filter and offset', async () => {
    const dir = await tempDir()
    const { store, log } = await openLog(dir, 'test-events', { maxSegmentBytes: 200 })
    for (let i = 1; i <= 60; i++) {
      log.append(entry(i))
      if (i % 7 === 0) await store.flush() // several checkpoints, as a running hub does
    }
    await store.commit()
    const all = await log.read({ limit: 1000 })
    expect(all.map((e) => e.n)).toEqual(Array.from({ length: 60 }, (_, i) => 60 - i))
    await store.flush()
    const files = (await readdir(dir)).filter((f) => f.startsWith('test-events.')).sort()
    expect(files.length).toBeGreaterThan(3)
    expect(files[0]).toBe('test-events.000001.jsonl')
    expect((await log.read({ limit: 3 })).map((e) => e.n)).toEqual([60, 59, 58])
    const quiet = await log.read({ limit: 4, offset: 2, filter: (e) => e.device === 'quiet' })
    expect(quiet.map((e) => e.n)).toEqual([54, 51, 48, 45])
    await store.close()
  })

  it('keeps at most maxSegments segments when told to, newest history without gaps', async () => {
    const dir = await tempDir()
    const { store, log } = await openLog(dir, 'test-events', { maxSegmentBytes: 100, maxSegments: 2 })
    for (let i = 1; i <= 40; i++) {
      log.append(entry(i))
      await store.flush()
    }
    expect((await readdir(dir)).filter((f) => f.startsWith('test-events.'))).toHaveLength(2)
    const kept = await log.read({ limit: 1000 })
    expect(kept[0]?.n).toBe(40)
    expect(kept.length).toBeLessThan(40)
    expect(kept.map((e) => e.n)).toEqual(Array.from({ length: kept.length }, (_, i) => 40 - i))
    await store.close()
  })

  it('gives back any text, from memory before a checkpoint and from the file after it', async () => {
    // Entries not yet in the files are held as their file lines' bytes (append-log.ts): newlines,
    // separators and characters outside the BMP in the text must come back as they went in.
    const dir = await tempDir()
    const store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 60_000 })
    const log = await store.log<{ n: number; text: string }>('texts')
    const texts = fc.sample(fc.string({ unit: 'binary', maxLength: 30 }), { numRuns: 200, seed: 17 })
    texts.push('line\nbreak', '\u2028\u2029', '😀 é', '')
    const expected = texts.map((text, n) => ({ n, text })).reverse()
    for (const [n, text] of texts.entries()) log.append({ n, text })
    expect(await log.read({ limit: 1000 })).toEqual(expected)
    await store.flush()
    expect(await log.read({ limit: 1000 })).toEqual(expected)
    await store.close()
  })

  it('continues after a restart, with what was committed and not yet checkpointed', async () => {
    const dir = await tempDir()
    const first = await openLog(dir, 'test-audit', { maxSegmentBytes: 100 })
    for (let i = 1; i <= 10; i++) first.log.append(entry(i))
    await first.store.commit()
    await first.store.close()
    const second = await openLog(dir, 'test-audit', { maxSegmentBytes: 100 })
    for (let i = 11; i <= 20; i++) second.log.append(entry(i))
    await second.store.commit()
    expect((await second.log.read({ limit: 100 })).map((e) => e.n)).toEqual(
      Array.from({ length: 20 }, (_, i) => 20 - i),
    )
    await second.store.close()
  })

  it('takes over the log file of earlier versions, cutting a torn last line', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'test-audit.jsonl'), `${JSON.stringify(entry(1))}\n{"n":2,"dev`)
    const { store, log } = await openLog(dir, 'test-audit')
    log.append(entry(3))
    await store.commit()
    await store.flush()
    expect((await log.read()).map((e) => e.n)).toEqual([3, 1])
    const text = await readFile(join(dir, 'test-audit.000001.jsonl'), 'utf8')
    expect(text).toBe(`${JSON.stringify(entry(1))}\n${JSON.stringify(entry(3))}\n`)
    await store.close()
  })

  it('reads while appends and checkpoints are in flight without losing or duplicating entries', async () => {
    const dir = await tempDir()
    const { store, log } = await openLog(dir, 'test-events', { maxSegmentBytes: 150 })
    const reads: Promise<Entry[]>[] = []
    for (let i = 1; i <= 50; i++) {
      log.append(entry(i))
      if (i % 5 === 0) reads.push(log.read({ limit: 1000 }))
      if (i % 9 === 0) void store.flush()
    }
    const results = await Promise.all(reads)
    for (const [k, r] of results.entries()) {
      // Each read sees at least what was appended before it, newest first, without gaps or repeats.
      const n = (k + 1) * 5
      expect(r.length).toBeGreaterThanOrEqual(n)
      expect(r.map((e) => e.n)).toEqual(Array.from({ length: r.length }, (_, i) => r.length - i))
    }
    await store.flush()
    expect((await log.read({ limit: 1000 })).map((e) => e.n)).toEqual(
      Array.from({ length: 50 }, (_, i) => 50 - i),
    )
    await store.close()
  })
})
