/**
 * Log retention on PostgreSQL (`pg-retention.ts`): the embedded engine's rule (at most maxSegments ×
 * maxSegmentBytes of the newest entries), applied by deleting rows.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { PgStore } from '../../src/store/postgres/pg-store.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

describe('log retention on PostgreSQL', () => {
  it('keeps the newest maxSegments × maxSegmentBytes of each log with a retention, and all of the others', async () => {
    const url = await server.createDatabase()
    const store = await PgStore.open({ url, auditMaxSegments: 2, auditSegmentBytes: 4096 })
    onTestFinished(() => store.close())
    const kept = await store.log<{ n: number; pad: string }>('feature/log')
    const pad = 'x'.repeat(90)
    // Each audit entry is about 150 bytes: 8 KiB keeps the newest ~54 of 200.
    for (let n = 0; n < 200; n++) {
      store.audit.append({
        ts: new Date(0).toISOString(),
        actor: 'a',
        action: `act-${n}`,
        ok: true,
        detail: pad,
      })
      kept.append({ n, pad })
    }
    await store.commit()
    const before = await store.audit.read({ limit: 1000 })
    const sizes = before.map((e) => Buffer.byteLength(JSON.stringify(e)) + 1)
    const deleted = await store.pruneLogs()
    const after = await store.audit.read({ limit: 1000 })
    // Exactly the newest entries whose sizes add up to at most 8,192 bytes.
    let total = 0
    let expected = 0
    for (const size of sizes) {
      if (total + size > 8192) break
      total += size
      expected++
    }
    expect(expected).toBeGreaterThan(10)
    expect(expected).toBeLessThan(200)
    expect(after).toEqual(before.slice(0, expected))
    expect(deleted.audit).toBe(200 - expected)
    expect((await kept.read({ limit: 1000 })).length).toBe(200)
    // A second run deletes nothing more.
    expect((await store.pruneLogs()).audit).toBe(0)
  })
})
