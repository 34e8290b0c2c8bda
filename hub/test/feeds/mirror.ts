/**
 * A local mirror (node:http on 127.0.0.1, a free port) built from the repository's real advisories:
 *   /csaf/…            a CSAF trusted provider with directory_url (index.txt, changes.csv)
 *   /rolie/…           the same kind of provider distributing through a ROLIE feed
 *   /.well-known/…     discovery of /csaf from the bare origin
 *   /osv/<Eco>/…       the OSV bucket: all.zip (built here), modified_id.csv, <ID>.json
 *   /kev/…, /epss/…    the KEV catalog and an EPSS CSV (gzip)
 * Every document has .sha256, .sha512 and an .asc signed with a throwaway OpenPGP key made here.
 * Answers ETag / 304; logs every request; routes can be overridden (errors, stalls).
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import * as openpgp from 'openpgp'
import { onTestFinished } from 'vitest'
import yazl from 'yazl'

export const TESTDATA = fileURLToPath(new URL('../../../testdata/', import.meta.url))
export const CISA_DIR = join(TESTDATA, 'csaf-cisa/cisagov__CSAF/csaf_files/OT/white')
export const OSV_DB = join(
  TESTDATA,
  'osv/google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs',
)
export const KEV_FILE = join(TESTDATA, 'kev/cisagov__kev-data/known_exploited_vulnerabilities.json')

export interface Key {
  armored: string
  privateKey: openpgp.PrivateKey
  fingerprint: string
}

export async function makeKey(name = 'Vigil test provider'): Promise<Key> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    userIDs: [{ name, email: 'csaf@example.test' }],
    format: 'object',
  })
  return { armored: publicKey.armor(), privateKey, fingerprint: publicKey.getFingerprint().toUpperCase() }
}

export async function sign(body: Buffer, key: Key): Promise<string> {
  return openpgp.sign({
    message: await openpgp.createMessage({ binary: new Uint8Array(body) }),
    signingKeys: key.privateKey,
    detached: true,
    format: 'armored',
  }) as Promise<string>
}

/** `n` real CISA medical advisories (year/name), oldest first. */
export function cisaDocs(n: number): { path: string; body: Buffer }[] {
  const out: { path: string; body: Buffer }[] = []
  for (const year of readdirSync(CISA_DIR)
    .filter((y) => /^\d{4}$/.test(y))
    .sort())
    for (const name of readdirSync(join(CISA_DIR, year)).sort())
      if (/^icsma-.*\.json$/.test(name))
        out.push({ path: `${year}/${name}`, body: readFileSync(join(CISA_DIR, year, name)) })
  return out.slice(0, n)
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void

export class Mirror {
  readonly log: string[] = []
  readonly files = new Map<string, Buffer>()
  readonly overrides = new Map<string, Handler>()
  url = ''
  #server = createServer((req, res) => this.#handle(req, res))

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
    onTestFinished(() => this.close())
    return this
  }

  close(): Promise<void> {
    this.#server.closeAllConnections()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }

  /** Requests since the last call, as `GET /path`. */
  take(): string[] {
    return this.log.splice(0)
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    this.log.push(`${req.method} ${path}`)
    const override = this.overrides.get(path)
    if (override) {
      override(req, res)
      return
    }
    const body = this.files.get(path)
    if (body === undefined) {
      res.writeHead(404).end('not found')
      return
    }
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end()
      return
    }
    res.writeHead(200, { etag, 'content-length': body.length }).end(body)
  }

  put(path: string, body: Buffer | string): void {
    this.files.set(path, Buffer.isBuffer(body) ? body : Buffer.from(body))
  }

  /** A document with its hashes and signature. */
  async putSigned(path: string, body: Buffer, key: Key): Promise<void> {
    this.put(path, body)
    this.put(
      `${path}.sha256`,
      `${createHash('sha256').update(body).digest('hex')}  ${path.split('/').pop()}\n`,
    )
    this.put(
      `${path}.sha512`,
      `${createHash('sha512').update(body).digest('hex')}  ${path.split('/').pop()}\n`,
    )
    this.put(`${path}.asc`, await sign(body, key))
  }
}

export interface CsafProvider {
  /** provider-metadata.json URL */
  metadata: string
  key: Key
  /** Publishes (or re-publishes) a document at `time` and rewrites the listings. */
  publish(path: string, body: Buffer, time: string): Promise<void>
}

/** A trusted provider at `/<root>/`: directory distribution or a ROLIE feed. */
export async function csafProvider(
  m: Mirror,
  root: string,
  form: 'directory' | 'rolie',
  docs: { path: string; body: Buffer }[],
  key?: Key,
): Promise<CsafProvider> {
  const k = key ?? (await makeKey())
  const base = `${m.url}/${root}`
  const listed = new Map<string, string>()
  const listings = () => {
    const entries = [...listed].sort((a, b) => b[1].localeCompare(a[1]))
    m.put(`/${root}/white/index.txt`, entries.map(([p]) => `${p}\n`).join(''))
    m.put(`/${root}/white/changes.csv`, entries.map(([p, t]) => `"${p}","${t}"\n`).join(''))
    const feed = {
      feed: {
        id: `${root}-tlp-white`,
        title: 'Test provider - TLP:WHITE',
        link: [{ rel: 'self', href: `${base}/white/feed-tlp-white.json` }],
        category: [{ scheme: 'urn:ietf:params:rolie:category:information-type', term: 'csaf' }],
        updated: entries[0]?.[1] ?? '2024-01-01T00:00:00Z',
        entry: entries.map(([p, t]) => ({
          id: p,
          title: p,
          link: [
            { rel: 'self', href: `${base}/white/${p}` },
            { rel: 'hash', href: `${base}/white/${p}.sha256` },
            { rel: 'hash', href: `${base}/white/${p}.sha512` },
            { rel: 'signature', href: `${base}/white/${p}.asc` },
          ],
          published: t,
          updated: t,
          content: { type: 'application/json', src: `${base}/white/${p}` },
          format: {
            schema: 'https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json',
            version: '2.0',
          },
        })),
      },
    }
    m.put(`/${root}/white/feed-tlp-white.json`, JSON.stringify(feed))
  }
  const metadata = {
    canonical_url: `${base}/provider-metadata.json`,
    distributions: [
      form === 'directory'
        ? { directory_url: `${base}/white/` }
        : {
            rolie: {
              feeds: [{ summary: 'TLP:WHITE', tlp_label: 'WHITE', url: `${base}/white/feed-tlp-white.json` }],
            },
          },
    ],
    last_updated: '2024-10-24T00:00:00Z',
    list_on_CSAF_aggregators: true,
    metadata_version: '2.0',
    mirror_on_CSAF_aggregators: true,
    public_openpgp_keys: [{ fingerprint: k.fingerprint, url: `${base}/openpgp/key.asc` }],
    publisher: { category: 'coordinator', name: 'Test provider', namespace: 'https://example.test' },
    role: 'csaf_trusted_provider',
  }
  m.put(`/${root}/provider-metadata.json`, JSON.stringify(metadata, null, 2))
  m.put(`/${root}/openpgp/key.asc`, k.armored)
  for (const [i, d] of docs.entries()) {
    await m.putSigned(`/${root}/white/${d.path}`, d.body, k)
    listed.set(d.path, `2024-0${1 + (i % 9)}-1${i % 10}T06:00:00Z`)
  }
  listings()
  return {
    metadata: `${base}/provider-metadata.json`,
    key: k,
    async publish(path, body, time) {
      await m.putSigned(`/${root}/white/${path}`, body, k)
      listed.set(path, time)
      listings()
    },
  }
}

/** A zip of `records` (name → body), built in memory for the mirror. */
export async function zipOf(records: Map<string, Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  for (const [name, body] of records) zip.addBuffer(body, name)
  zip.end()
  const chunks: Buffer[] = []
  for await (const c of zip.outputStream) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

export interface OsvBucket {
  /** Adds or changes a record at `time` (modified_id.csv newest first). */
  publish(id: string, body: Buffer, time: string): void
}

/** `/osv/<eco>/`: all.zip of the first `initial` records, modified_id.csv, every <ID>.json. */
export async function osvBucket(m: Mirror, eco: string, records: Map<string, Buffer>): Promise<OsvBucket> {
  const times = new Map<string, string>()
  for (const [id, body] of records) {
    times.set(id, (JSON.parse(body.toString('utf8')) as { modified: string }).modified)
    m.put(`/osv/${eco}/${id}.json`, body)
  }
  const list = () =>
    m.put(
      `/osv/${eco}/modified_id.csv`,
      [...times]
        .sort((a, b) => b[1].localeCompare(a[1]))
        .map(([id, t]) => `${t},${id}\n`)
        .join(''),
    )
  m.put(`/osv/${eco}/all.zip`, await zipOf(new Map([...records].map(([id, b]) => [`${id}.json`, b]))))
  list()
  return {
    publish(id, body, time) {
      times.set(id, time)
      m.put(`/osv/${eco}/${id}.json`, body)
      list()
    },
  }
}

export function osvRecords(eco: string): Map<string, Buffer> {
  const dir = join(OSV_DB, eco)
  return new Map(
    readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()
      .map((n) => [n.replace(/\.json$/, ''), readFileSync(join(dir, n))]),
  )
}

export function kevCatalog(): Buffer {
  return readFileSync(KEV_FILE)
}

/** An EPSS file in FIRST's format (gzip) scoring the given CVEs. */
export function epssGz(scores: [string, number][]): Buffer {
  const text = `#model_version:v2025.03.14,score_date:2026-11-28T00:00:00+0000\ncve,epss,percentile\n${scores
    .map(([c, s]) => `${c},${s.toFixed(5)},0.5\n`)
    .join('')}`
  return gzipSync(text)
}
