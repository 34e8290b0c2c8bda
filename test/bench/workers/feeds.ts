/**
 * Advisory feeds at scale: a local OSV bucket (node:http on 127.0.0.1) whose all.zip holds `records`
 * records — the repository's real OSV records (testdata/) multiplied with new ids and times — synced
 * by a real hub (built hub/dist, in this process) through its feeds API: records/s, peak RSS, longest
 * event-loop block. Then `changed` records change upstream and an incremental sync fetches only those.
 */
import { createReadStream, createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { loadHubConfig, startHub } from '@vigil/hub'
import type { FeedSyncResult, FeedView } from '@vigil/protocol'
import yazl from 'yazl'
import { REPO_ROOT, report, workerMain } from '../lib/proc.ts'

const OSV_DB = join(
  REPO_ROOT,
  'testdata/osv/google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs',
)

function realRecords(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const eco of readdirSync(OSV_DB).sort()) {
    const dir = join(OSV_DB, eco)
    if (!statSync(dir).isDirectory()) continue
    for (const name of readdirSync(dir).sort())
      if (name.endsWith('.json'))
        out.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>)
  }
  return out
}

const T0 = Date.parse('2026-01-01T00:00:00Z')
const stamp = (n: number) => new Date(T0 + n * 1000).toISOString()

function record(base: Record<string, unknown>, n: number, modified: string, summary?: string): Buffer {
  return Buffer.from(
    JSON.stringify({ ...base, id: `${String(base.id)}-B${n}`, modified, ...(summary ? { summary } : {}) }),
  )
}

workerMain<{ records: number; changed: number }>(async (opts) => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-feeds-'))
  const bases = realRecords()
  const zipFile = join(dir, 'all.zip')
  const zip = new yazl.ZipFile()
  const list: string[] = []
  for (let n = 0; n < opts.records; n++) {
    const base = bases[n % bases.length] as Record<string, unknown>
    // A read stream is deflated when the zip's output reaches it (addBuffer would start 100,000
    // deflate jobs at once, each with its own zlib state: gigabytes).
    zip.addReadStream(Readable.from([record(base, n, stamp(n))]), `${String(base.id)}-B${n}.json`)
    list.push(`${stamp(n)},${String(base.id)}-B${n}`)
  }
  zip.end()
  await pipeline(zip.outputStream, createWriteStream(zipFile))
  const changedDocs = new Map<string, Buffer>()
  const requests: string[] = []
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    requests.push(path)
    if (path === '/osv/Bench/all.zip') {
      res.writeHead(200, { 'content-length': statSync(zipFile).size })
      createReadStream(zipFile).pipe(res)
    } else if (path === '/osv/Bench/modified_id.csv') {
      res.writeHead(200).end(`${[...list].reverse().join('\n')}\n`)
    } else {
      const body = changedDocs.get(path)
      if (body) res.writeHead(200).end(body)
      else res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const hub = await startHub(
    loadHubConfig(
      {
        httpHost: '127.0.0.1',
        httpPort: 0,
        mqttHost: '127.0.0.1',
        mqttPort: 0,
        dataDir: join(dir, 'data'),
        adminPassword: 'bench-feeds-password',
        logLevel: 'warn',
      },
      {},
    ),
  )
  try {
    const inject = async <T>(method: 'GET' | 'POST', url: string, token?: string, payload?: object) => {
      const r = await hub.app.inject({
        method,
        url,
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
        ...(payload ? { payload } : {}),
      })
      return r.json<T>()
    }
    const { token } = await inject<{ token: string }>('POST', '/api/v1/session', undefined, {
      username: 'admin',
      password: 'bench-feeds-password',
    })
    const feed = await inject<FeedView>('POST', '/api/v1/feeds', token, {
      kind: 'osv',
      url: `${mirror}/osv`,
      ecosystems: ['Bench'],
      enabled: false,
    })
    const feeds = hub.app.feeds
    if (!feeds) throw new Error('the hub has no feeds feature')
    const loop = monitorEventLoopDelay({ resolution: 5 })
    let peakRss = process.memoryUsage().rss
    const rssTimer = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }, 100)
    loop.enable()
    let t = performance.now()
    await inject('POST', `/api/v1/feeds/${feed.id}/sync`, token)
    const first: FeedSyncResult = await feeds.startSync(feed.id)
    const firstSeconds = (performance.now() - t) / 1000
    loop.disable()
    clearInterval(rssTimer)
    if (!first.ok) throw new Error(`first sync failed: ${first.error}`)
    const advisories = hub.app.advisoryIntake?.advisoryCount ?? 0

    // `changed` records change upstream: newer times at the head of modified_id.csv
    for (let i = 0; i < opts.changed; i++) {
      const n = i * Math.max(1, Math.floor(opts.records / opts.changed))
      const base = bases[n % bases.length] as Record<string, unknown>
      const when = stamp(opts.records + i)
      changedDocs.set(`/osv/Bench/${String(base.id)}-B${n}.json`, record(base, n, when, `changed ${i}`))
      list.push(`${when},${String(base.id)}-B${n}`)
    }
    requests.length = 0
    t = performance.now()
    await inject('POST', `/api/v1/feeds/${feed.id}/sync`, token)
    const inc = await feeds.startSync(feed.id)
    const incSeconds = (performance.now() - t) / 1000
    report({
      type: 'result',
      records: opts.records,
      firstSeconds,
      recordsPerSec: Math.round(opts.records / firstSeconds),
      added: first.added,
      advisories,
      peakRssMb: Math.round(peakRss / 2 ** 20),
      maxEventLoopBlockMs: Math.round(loop.max / 1e6),
      p99EventLoopDelayMs: Math.round(loop.percentile(99) / 1e6),
      incrementalChanged: opts.changed,
      incrementalSeconds: incSeconds,
      incrementalUpdated: inc.updated,
      incrementalRequests: requests.length,
    })
  } finally {
    await hub.close()
    server.close()
    await rm(dir, { recursive: true, force: true })
  }
})
