/**
 * The store conformance suite, in the style of aedes-persistence's shared abstract tests: every
 * engine behind the `Store` interface must pass it. An engine test file calls `storeConformance` with
 * a way to open its store on a directory (and, for the crash test, the child script that does).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFile, mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { StorageError } from '../../src/store/errors.ts'
import type { Store } from '../../src/store/types.ts'
import { tempDir } from '../helpers.ts'

export interface EngineUnderTest {
  name: string
  open(dir: string): Promise<Store>
  /** A script that writes forever and prints `acked <writer> <n>` after each commit (fixtures/). */
  writerScript: string
  /** The engine's files can be damaged on disk (file engines). */
  files: boolean
  /** Environment for the writer child (default: VIGIL_DATA_DIR=dir). */
  writerEnv?(dir: string): Promise<Record<string, string>>
}

type Thing = { id: string; n: number; pad?: string }

/** A deterministic generator for the kill moments, printed so a failure can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

async function runWriterUntilKilled(
  script: string,
  env: Record<string, string>,
  start: number,
  killAfterMs: number,
): Promise<Map<number, number>> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=source', '--import', import.meta.resolve('tsx'), script],
    {
      env: { ...process.env, ...env, START: String(start) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const acked = new Map<number, number>()
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') {
        setTimeout(() => child.kill('SIGKILL'), killAfterMs)
        resolve()
        return
      }
      const m = /^acked (\d+) (\d+)$/.exec(line)
      if (m) acked.set(Number(m[1]), Math.max(acked.get(Number(m[1])) ?? 0, Number(m[2])))
    })
    child.once('exit', () => reject(new Error(`writer exited before it was ready: ${stderr}`)))
  })
  await exited
  lines.close()
  return acked
}

export function storeConformance(engine: EngineUnderTest): void {
  describe(`store conformance: ${engine.name}`, () => {
    it('keeps everything acknowledged across kill -9 of the writing process, with no duplicate', async () => {
      const seed = Number(process.env.VIGIL_FAULT_SEED ?? Date.now() % 100000)
      console.log(`store conformance kill -9 seed: ${seed} (VIGIL_FAULT_SEED=${seed} replays it)`)
      const random = seeded(seed)
      const dir = await tempDir()
      const everAcked = new Map<number, number>()
      for (let cycle = 0; cycle < 3; cycle++) {
        const start = cycle * 1_000_000 + 1
        const acked = await runWriterUntilKilled(
          engine.writerScript,
          engine.writerEnv ? await engine.writerEnv(dir) : { VIGIL_DATA_DIR: dir },
          start,
          150 + Math.floor(random() * 400),
        )
        expect(acked.size, 'the writer acknowledged something before it was killed').toBeGreaterThan(0)
        const store = await engine.open(dir)
        try {
          const things = await store.collection<Thing>('conformance/things', { shards: 4 })
          const log = await store.log<{ w: number; n: number }>('conformance/log')
          const blobs = await store.docs<{ w: number; n: number }>('conformance/blobs')
          for (const t of things.values()) {
            const inv = (t as Thing & { inventory?: string }).inventory
            if (inv) expect(store.inventories.has(inv), `${t.id} names a stored inventory`).toBe(true)
          }
          for (const [w, n] of acked) {
            everAcked.set(w, n)
            expect(
              things.get(`w${w}`)?.n ?? 0,
              `writer ${w} acked ${n} (seed ${seed})`,
            ).toBeGreaterThanOrEqual(n)
          }
          const entries = await log.read({ limit: 10_000_000 })
          const seen = new Set<string>()
          for (const e of entries) {
            const key = `${e.w}:${e.n}`
            expect(seen.has(key), `log entry ${key} appears twice (seed ${seed})`).toBe(false)
            seen.add(key)
          }
          for (const [w, last] of everAcked) {
            for (let n = Math.max(1, last - 20); n <= last; n++) {
              if (n < start && last >= start) continue
              expect(seen.has(`${w}:${n}`), `acked log entry ${w}:${n} (seed ${seed})`).toBe(true)
              if (n % 3 === 0) {
                const key = createHash('sha256').update(`${w}:${n}`).digest('hex')
                expect(await blobs.get(key), `acked blob ${w}:${n}`).toEqual({ w, n })
                const inv = createHash('sha256').update(`inv:${w}:${n}`).digest('hex')
                expect(await store.inventories.get(inv), `acked inventory ${w}:${n}`).toEqual({ w, n })
              }
            }
          }
        } finally {
          await store.close()
        }
      }
    }, 60_000)

    it('lets many writers store the same content at once, each put succeeding', async () => {
      const store = await engine.open(await tempDir())
      try {
        const value = { hello: 'world', n: 42 }
        const hash = createHash('sha256').update(JSON.stringify(value)).digest('hex')
        const puts = Array.from({ length: 200 }, () => store.inventories.put(hash, value as never))
        const results = await Promise.allSettled(puts)
        expect(results.filter((r) => r.status === 'rejected')).toEqual([])
        expect(store.inventories.has(hash)).toBe(true)
        expect(await store.inventories.get(hash)).toEqual(value)
        const docs = await store.docs<{ v: number }>('conformance/docs')
        await Promise.all(Array.from({ length: 50 }, (_, v) => docs.put('same-key', { v })))
        expect((await docs.get('same-key'))?.v).toBe(49)
      } finally {
        await store.close()
      }
    })

    it('replays puts and deletes in order, and a log in append order', async () => {
      const dir = await tempDir()
      const first = await engine.open(dir)
      const c = await first.collection<Thing>('conformance/order', { shards: 3 })
      const log = await first.log<{ n: number }>('conformance/order-log')
      for (let n = 1; n <= 300; n++) {
        c.put({ id: `r${n % 10}`, n })
        if (n % 7 === 0) c.delete(`r${n % 10}`)
        log.append({ n })
      }
      await first.commit()
      const expected = new Map(c.values().map((r) => [r.id, r.n]))
      await first.close()
      const second = await engine.open(dir)
      try {
        const again = await second.collection<Thing>('conformance/order', { shards: 3 })
        expect(new Map(again.values().map((r) => [r.id, r.n]))).toEqual(expected)
        const entries = await (await second.log<{ n: number }>('conformance/order-log')).read({ limit: 1000 })
        expect(entries.map((e) => e.n)).toEqual(Array.from({ length: 300 }, (_, i) => 300 - i))
      } finally {
        await second.close()
      }
    })

    it('stores records put together (putMany) as put would each, across a reopen', async () => {
      const dir = await tempDir()
      const first = await engine.open(dir)
      const c = await first.collection<Thing & { kind?: string; extra?: number }>('conformance/many', {
        shards: 3,
      })
      c.put({ id: 'r0', n: 0 })
      // Shared fields and columns; then a batch whose records differ in their fields.
      c.putMany(Array.from({ length: 50 }, (_, n) => ({ id: `r${n}`, n, kind: 'same' })))
      c.putMany([
        { id: 'r1', n: 100, extra: 1 },
        { id: 'r2', n: 200 },
      ])
      await first.commit()
      expect(c.versionOf('r0')).toBe(2)
      expect(c.versionOf('r1')).toBe(2)
      await first.close()
      const second = await engine.open(dir)
      try {
        const again = await second.collection<Thing & { kind?: string; extra?: number }>('conformance/many', {
          shards: 3,
        })
        expect(again.size).toBe(50)
        expect(again.get('r1')).toEqual({ id: 'r1', n: 100, extra: 1 })
        expect(again.get('r2')).toEqual({ id: 'r2', n: 200 })
        expect(again.get('r49')).toEqual({ id: 'r49', n: 49, kind: 'same' })
        expect(again.versionOf('r0')).toBe(2)
        expect(again.versionOf('r1')).toBe(2)
        expect(again.versionOf('r49')).toBe(1)
      } finally {
        await second.close()
      }
    })

    it('refuses a record it cannot serialise before it changes anything, and keeps storing others', async () => {
      const dir = await tempDir()
      const store = await engine.open(dir)
      const c = await store.collection<Thing & { deep?: unknown }>('conformance/deep')
      let deep: unknown = {}
      for (let i = 0; i < 100_000; i++) deep = { d: deep }
      expect(() => c.put({ id: 'rogue', n: 1, deep })).toThrow(StorageError)
      expect(c.get('rogue')).toBeUndefined()
      c.put({ id: 'fine', n: 2 })
      await store.commit()
      await store.flush()
      await store.close()
      const again = await engine.open(dir)
      try {
        expect((await again.collection<Thing>('conformance/deep')).get('fine')?.n).toBe(2)
      } finally {
        await again.close()
      }
    })

    if (engine.files) {
      it('names a truncated, garbage or missing file at open, and drops only a torn journal tail', async () => {
        const make = async () => {
          const dir = await tempDir()
          const s = await engine.open(dir)
          const c = await s.collection<Thing>('conformance/damage', { shards: 4 })
          for (let n = 0; n < 40; n++) c.put({ id: `r${n}`, n })
          s.devices.put({
            id: 'd1',
            name: 'd1',
            secretHash: 'x',
            disabled: false,
            enrolledAt: '',
            lastSeen: null,
            online: false,
          })
          await s.commit()
          await s.close()
          return dir
        }
        const truncated = await make()
        await truncate(join(truncated, 'conformance/damage/1.json'), 5)
        await expect(engine.open(truncated)).rejects.toThrow(/conformance\/damage\/1\.json/)
        const garbage = await make()
        await writeFile(join(garbage, 'users.json'), '\u0000\u0001garbage')
        await expect(engine.open(garbage)).rejects.toThrow(/users\.json: not valid JSON/)
        const missing = await make()
        const shard = (await readdir(join(missing, 'devices')))[3] ?? ''
        await rm(join(missing, 'devices', shard))
        await expect(engine.open(missing)).rejects.toThrow(new RegExp(`devices/${shard}: missing`))
        // A journal line damaged in the middle is corruption; a torn last line is a write cut short.
        const journaled = await tempDir()
        const s = await engine.open(journaled)
        const c = await s.collection<Thing>('conformance/journal')
        c.put({ id: 'a', n: 1 })
        await s.commit()
        const journal = join(journaled, 'journal')
        const live = (await readdir(journal)).sort().at(-1) ?? ''
        // Simulate a crash without a checkpoint: the live journal's lines, then a line cut short, in
        // the newest segment.
        const text = await readFile(join(journal, live), 'utf8')
        expect(text).toContain('"id":"a"')
        await s.close()
        const newest = (await readdir(journal)).sort().at(-1) ?? ''
        await writeFile(join(journal, newest), `${text}0000abcd {"c":"conf`)
        const reopened = await engine.open(journaled)
        expect((await reopened.collection<Thing>('conformance/journal')).get('a')?.n).toBe(1)
        await reopened.close()
        const last = (await readdir(journal)).sort().at(-1) ?? ''
        await writeFile(join(journal, last), `${text.replace(/^.{8}/, 'deadbeef')}${text}`)
        await expect(engine.open(journaled)).rejects.toThrow(new RegExp(`${last}: line 1 is damaged`))
      })

      it('cleans leftover temp files at open', async () => {
        const dir = await tempDir()
        const s = await engine.open(dir)
        await s.close()
        await writeFile(join(dir, '.users.json.vigil-tmp-1-abc'), 'x')
        await mkdir(join(dir, 'inventories'), { recursive: true })
        await writeFile(join(dir, 'inventories', `.${'a'.repeat(64)}.json.vigil-tmp-2-def`), 'x')
        const again = await engine.open(dir)
        await again.close()
        expect((await readdir(dir)).some((n) => n.includes('vigil-tmp'))).toBe(false)
        expect((await readdir(join(dir, 'inventories'))).some((n) => n.includes('vigil-tmp'))).toBe(false)
      })

      const root = typeof process.getuid === 'function' && process.getuid() === 0
      it.runIf(root)(
        'on a full disk: refuses with STORAGE_FULL, loses nothing, tears nothing, recovers',
        async () => {
          const mount = await tempDir()
          execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount])
          onTestFinished(() => {
            execFileSync('umount', ['-l', mount])
          })
          const dataDir = join(mount, 'data')
          const store = await engine.open(dataDir)
          const c = await store.collection<Thing>('conformance/full', { shards: 2 })
          const log = await store.log<{ n: number; pad: string }>('conformance/full-log')
          // Fill the disk, leaving a little room.
          const filler = join(mount, 'filler')
          await writeFile(filler, '')
          try {
            for (;;) await appendFile(filler, Buffer.alloc(64 * 1024, 1))
          } catch (err) {
            expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC')
          }
          const acked: number[] = []
          const refused: number[] = []
          for (let n = 1; n <= 60; n++) {
            c.put({ id: `r${n % 5}`, n, pad: 'p'.repeat(2000) })
            log.append({ n, pad: 'q'.repeat(3000) })
            try {
              await store.commit()
              acked.push(n)
            } catch (err) {
              expect(err).toBeInstanceOf(StorageError)
              expect((err as StorageError).code).toBe('STORAGE_FULL')
              refused.push(n)
            }
          }
          expect(refused.length, 'some commits were refused on the full disk').toBeGreaterThan(0)
          expect(store.health()).toMatchObject({ ok: false, code: 'STORAGE_FULL' })
          await rm(filler)
          // It recovers by itself: the retry commits what was queued.
          const deadline = Date.now() + 10_000
          while (!store.health().ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
          expect(store.health().ok).toBe(true)
          await store.commit()
          await store.close()
          const again = await engine.open(dataDir)
          try {
            const entries = await (await again.log<{ n: number }>('conformance/full-log')).read({
              limit: 1000,
            })
            const ns = entries.map((e) => e.n)
            for (const n of acked) expect(ns).toContain(n)
            // Nothing glued: every line of every log file is one whole entry.
            for (const name of await readdir(join(dataDir, 'conformance'))) {
              if (!name.endsWith('.jsonl')) continue
              const text = await readFile(join(dataDir, 'conformance', name), 'utf8')
              for (const line of text.split('\n').filter(Boolean))
                expect(() => JSON.parse(line)).not.toThrow()
            }
            expect(new Set(ns).size).toBe(ns.length)
            expect((await again.collection<Thing>('conformance/full', { shards: 2 })).get('r0')?.n).toBe(60)
          } finally {
            await again.close()
          }
        },
        30_000,
      )
    }
  })
}

export const WRITER_SCRIPT = fileURLToPath(new URL('./fixtures/store-writer.ts', import.meta.url))
