/**
 * A local OSV bucket for the feeds section (node:http on 127.0.0.1, run by the section's own process
 * so that the hub's process is measured alone): `<url>/osv/Bench/all.zip` holds `records` records —
 * the repository's real OSV records (testdata/) multiplied with new ids and times — with
 * `modified_id.csv` (newest first) and, once `change` was called, the changed `<ID>.json`.
 */
import { createReadStream, createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import yazl from 'yazl'
import { REPO_ROOT } from './proc.ts'

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

export interface OsvMirror {
  /** The feed URL (`kind: 'osv'`, ecosystem `Bench`). */
  url: string
  /** Paths requested since the last `take`. */
  take(): string[]
  /** `count` records change upstream (newer times at the head of modified_id.csv). */
  change(count: number): void
  close(): Promise<void>
}

export async function startOsvMirror(records: number): Promise<OsvMirror> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-osv-'))
  const bases = realRecords()
  const zipFile = join(dir, 'all.zip')
  const zip = new yazl.ZipFile()
  const list: string[] = []
  for (let n = 0; n < records; n++) {
    const base = bases[n % bases.length] as Record<string, unknown>
    // A read stream is deflated when the zip's output reaches it (addBuffer would start 100,000
    // deflate jobs at once, each with its own zlib state: gigabytes).
    zip.addReadStream(Readable.from([record(base, n, stamp(n))]), `${String(base.id)}-B${n}.json`)
    list.push(`${stamp(n)},${String(base.id)}-B${n}`)
  }
  zip.end()
  await pipeline(zip.outputStream, createWriteStream(zipFile))
  const changedDocs = new Map<string, Buffer>()
  let requests: string[] = []
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
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/osv`,
    take() {
      const out = requests
      requests = []
      return out
    },
    change(count) {
      for (let i = 0; i < count; i++) {
        const n = i * Math.max(1, Math.floor(records / count))
        const base = bases[n % bases.length] as Record<string, unknown>
        const when = stamp(records + i)
        changedDocs.set(`/osv/Bench/${String(base.id)}-B${n}.json`, record(base, n, when, `changed ${i}`))
        list.push(`${when},${String(base.id)}-B${n}`)
      }
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(dir, { recursive: true, force: true })
    },
  }
}
