import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createOutbox, nodeOutboxFs, type OutboxFs } from '../../src/outbox/outbox.ts'
import { tempDir } from '../helpers/setup.ts'

/** The real file system with a byte quota: writes beyond it fail with ENOSPC, like a full disk. */
function quotaFs(quota: number): OutboxFs & { used(): number } {
  const sizes = new Map<string, number>()
  const used = () => [...sizes.values()].reduce((a, b) => a + b, 0)
  return {
    ...nodeOutboxFs,
    used,
    async writeFile(file, data) {
      if (used() + data.length > quota)
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
      await nodeOutboxFs.writeFile(file, data)
      sizes.set(file, data.length)
    },
    async rename(a, b) {
      await nodeOutboxFs.rename(a, b)
      sizes.set(b, sizes.get(a) ?? 0)
      sizes.delete(a)
    },
    async unlink(file) {
      await nodeOutboxFs.unlink(file)
      sizes.delete(file)
    },
  }
}

describe('outbox', () => {
  it('keeps state on disk in production order across a restart', async () => {
    const dir = await tempDir()
    const a = createOutbox({ dir, maxTelemetry: 10 })
    await a.load()
    await a.add('event', { n: 1 })
    await a.addTelemetry({ t: 1 })
    await a.add('inventory', { n: 2 })
    await a.add('event', { n: 3 })
    const b = createOutbox({ dir, maxTelemetry: 10 })
    await b.load()
    expect(b.depth()).toEqual({ state: 3, telemetry: 1 })
    const seen: unknown[] = []
    for (let item = b.next(); item; item = b.next()) {
      seen.push(item.payload)
      await b.remove(item)
    }
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { t: 1 }])
    expect(await readdir(dir)).toEqual([])
    // sequence numbers continue after a restart
    await b.add('event', { n: 4 })
    const c = createOutbox({ dir, maxTelemetry: 10 })
    await c.load()
    expect(c.next()?.seq).toBeGreaterThan(4)
  })

  it('bounds telemetry by thinning old samples and always keeps the newest', async () => {
    const dir = await tempDir()
    const o = createOutbox({ dir, maxTelemetry: 8 })
    await o.load()
    for (let i = 0; i < 100; i++) await o.addTelemetry({ i })
    expect(o.depth().telemetry).toBeLessThanOrEqual(8)
    const kept: number[] = []
    for (let item = o.next(); item; item = o.next()) {
      kept.push((item.payload as { i: number }).i)
      await o.remove(item)
    }
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
  })

  it('disk full: telemetry is thinned first, state is kept', async () => {
    const dir = await tempDir()
    const fs = quotaFs(4000)
    const errors: string[] = []
    const o = createOutbox({ dir, maxTelemetry: 1000, fs, onError: (m) => errors.push(m) })
    await o.load()
    const sample = { pad: 'x'.repeat(80) }
    for (let i = 0; i < 200; i++) await o.addTelemetry({ ...sample, i })
    const before = o.depth().telemetry
    expect(fs.used()).toBeLessThanOrEqual(4000)
    const state = { big: 'y'.repeat(1500) }
    await o.add('inventory', state)
    await o.add('event', { n: 1 })
    expect(o.depth().state).toBe(2)
    expect(o.depth().telemetry).toBeLessThan(before)
    expect(o.next()?.payload).toEqual(state)
    expect(o.next()?.memoryOnly).toBeUndefined()
    // a state message larger than the whole disk is held in memory, never dropped
    const huge = await o.add('event', { huge: 'z'.repeat(5000) })
    expect(huge.memoryOnly).toBe(true)
    expect(o.depth()).toMatchObject({ state: 3, telemetry: 0 })
    expect(errors.join('\n')).toMatch(/held in memory/)
  })
})
