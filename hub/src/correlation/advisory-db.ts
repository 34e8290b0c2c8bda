/**
 * Where the hub keeps advisories: they are facts, so each normalised advisory is one small file named by
 * the SHA-256 of its id (`<dataDir>/advisory-db/<sha>.json`, replaced atomically by a newer revision),
 * and the KEV/EPSS join tables one file each. The index is derived from these at startup.
 *
 *   <dataDir>/advisory-db/<sha256(id)>.json   one normalised Advisory
 *   <dataDir>/advisory-db/enrichment.json     { kevVersion, kev: KevEntry[], epss: [cve, score][] }
 */
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Advisory, KevEntry } from '../advisories/index.js'

export interface Enrichment {
  kev: Map<string, KevEntry>
  epss: Map<string, number>
  kevVersion: string | null
}

interface EnrichmentFile {
  kevVersion: string | null
  kev: KevEntry[]
  epss: [string, number][]
}

const FILE = /^[0-9a-f]{64}\.json$/

async function atomicWrite(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  await writeFile(temp, text)
  await rename(temp, path)
}

export class AdvisoryDb {
  readonly dir: string

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'advisory-db')
  }

  /** Every stored advisory and the enrichment tables; unreadable files are reported, not fatal. */
  async load(onError: (file: string, err: unknown) => void = () => {}): Promise<{
    advisories: Advisory[]
    enrichment: Enrichment
  }> {
    await mkdir(this.dir, { recursive: true })
    const advisories: Advisory[] = []
    for (const name of (await readdir(this.dir)).sort()) {
      if (!FILE.test(name)) continue
      try {
        advisories.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as Advisory)
      } catch (err) {
        onError(name, err)
      }
    }
    const enrichment: Enrichment = { kev: new Map(), epss: new Map(), kevVersion: null }
    try {
      const raw = JSON.parse(await readFile(join(this.dir, 'enrichment.json'), 'utf8')) as EnrichmentFile
      for (const k of raw.kev) enrichment.kev.set(k.cveID, k)
      for (const [cve, score] of raw.epss) enrichment.epss.set(cve, score)
      enrichment.kevVersion = raw.kevVersion
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onError('enrichment.json', err)
    }
    return { advisories, enrichment }
  }

  async save(a: Advisory): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    const name = `${createHash('sha256').update(a.id).digest('hex')}.json`
    await atomicWrite(join(this.dir, name), JSON.stringify(a))
  }

  async saveEnrichment(e: Enrichment): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    const file: EnrichmentFile = { kevVersion: e.kevVersion, kev: [...e.kev.values()], epss: [...e.epss] }
    await atomicWrite(join(this.dir, 'enrichment.json'), JSON.stringify(file))
  }
}
