import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FeedFetchError, FeedHttp, type HttpPolicy } from '../../src/feeds/http.ts'
import { tempDir } from '../helpers.ts'
import { Mirror } from './mirror.ts'

const POLICY: HttpPolicy = { timeoutMs: 2_000, maxBytes: 1024, retries: 2, backoffMs: 20 }
const http = (p: Partial<HttpPolicy> = {}) => new FeedHttp({ ...POLICY, ...p }, new AbortController().signal)

describe('feed HTTP policy', () => {
  it('a server that sends Last-Modified (no ETag) is asked If-Modified-Since and its 304 costs no body', async () => {
    const m = await new Mirror().start()
    const stamp = 'Tue, 01 Dec 2026 10:00:00 GMT'
    const seen: (string | undefined)[] = []
    m.overrides.set('/kev.json', (req, res) => {
      seen.push(req.headers['if-modified-since'])
      if (req.headers['if-modified-since'] === stamp) res.writeHead(304).end()
      else res.writeHead(200, { 'last-modified': stamp }).end('{"catalogVersion":"1"}')
    })
    const h = http()
    const first = await h.get(`${m.url}/kev.json`)
    expect(first).toMatchObject({ status: 200, validator: { lastModified: stamp } })
    if (first.status !== 200) throw new Error('unreachable')
    expect(first.validator.etag).toBeUndefined()
    const second = await h.get(`${m.url}/kev.json`, { validator: first.validator })
    expect(second.status).toBe(304)
    expect(seen).toEqual([undefined, stamp])
    expect(h.requests).toBe(2)
  })

  it('a body over the size bound is refused (not retried), in memory and streamed to a file', async () => {
    const m = await new Mirror().start()
    m.put('/big.json', Buffer.alloc(4096, 'x'))
    m.put('/small.json', Buffer.alloc(1000, 'y'))
    const h = http()
    const err = await h.get(`${m.url}/big.json`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FeedFetchError)
    expect((err as Error).message).toMatch(/larger than 1024 bytes/)
    const dir = await tempDir()
    const dl = await h.download(`${m.url}/big.json`, join(dir, 'big.zip')).catch((e: unknown) => e)
    expect((dl as Error).message).toMatch(/larger than 1024 bytes/)
    // a per-request bound above the policy's (a whole ecosystem zip) lets it through
    await h.download(`${m.url}/big.json`, join(dir, 'big.zip'), { maxBytes: 8192 })
    expect((await readFile(join(dir, 'big.zip'))).length).toBe(4096)
    expect((await h.get(`${m.url}/small.json`)).status).toBe(200)
    expect(m.take()).toEqual(['GET /big.json', 'GET /big.json', 'GET /big.json', 'GET /small.json'])
  })

  it('429 and 5xx are retried up to the policy count; other errors are not; 404 is an answer', async () => {
    const m = await new Mirror().start()
    let busy = 0
    m.overrides.set('/busy', (_req, res) => {
      busy++
      if (busy < 3) res.writeHead(busy === 1 ? 429 : 503).end()
      else res.writeHead(200).end('ok')
    })
    m.overrides.set('/down', (_req, res) => {
      res.writeHead(502).end()
    })
    m.overrides.set('/forbidden', (_req, res) => {
      res.writeHead(403).end()
    })
    const h = http()
    const ok = await h.get(`${m.url}/busy`)
    expect(ok.status === 200 && ok.body.toString()).toBe('ok')
    expect(busy).toBe(3)
    const down = await h.get(`${m.url}/down`).catch((e: unknown) => e)
    expect((down as Error).message).toMatch(/HTTP 502/)
    const forbidden = await h.get(`${m.url}/forbidden`).catch((e: unknown) => e)
    expect((forbidden as Error).message).toMatch(/HTTP 403/)
    expect(await h.get(`${m.url}/nothing-here`)).toEqual({ status: 404 })
    const log = m.take()
    expect(log.filter((l) => l === 'GET /down')).toHaveLength(1 + POLICY.retries)
    expect(log.filter((l) => l === 'GET /forbidden')).toHaveLength(1)
  })
})
