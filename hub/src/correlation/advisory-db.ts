/**
 * Where the hub keeps advisories: they are facts, so each normalised advisory is one small file named by
 * the SHA-256 of its id (the store's `advisory-db` documents, replaced atomically by a newer revision),
 * and the KEV/EPSS join tables one file each. The index is derived from these at startup.
 *
 *   <dataDir>/advisory-db/<sha256(id)>.json   one normalised Advisory
 *   <dataDir>/advisory-db/enrichment.json     { kevVersion, kev: KevEntry[], epss: [cve, score][] }
 */
import { createHash } from 'node:crypto'
import type { Advisory, KevEntry } from '../advisories/index.js'
import type { DocStore, Store } from '../store/types.js'

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

const ADVISORY_KEY = /^[0-9a-f]{64}$/
const ENRICHMENT = 'enrichment'

export class AdvisoryDb {
  private constructor(private readonly docs: DocStore<Advisory | EnrichmentFile>) {}

  static async open(store: Store): Promise<AdvisoryDb> {
    return new AdvisoryDb(await store.docs<Advisory | EnrichmentFile>('advisory-db'))
  }

  /** Every stored advisory and the enrichment tables; unreadable files are reported (named), not fatal. */
  async load(onError: (file: string, err: unknown) => void = () => {}): Promise<{
    advisories: Advisory[]
    enrichment: Enrichment
  }> {
    const advisories: Advisory[] = []
    for (const key of this.docs.keys().sort()) {
      if (!ADVISORY_KEY.test(key)) continue
      try {
        const a = await this.docs.get(key)
        if (a) advisories.push(a as Advisory)
      } catch (err) {
        onError(`${key}.json`, err)
      }
    }
    const enrichment: Enrichment = { kev: new Map(), epss: new Map(), kevVersion: null }
    try {
      const raw = (await this.docs.get(ENRICHMENT)) as EnrichmentFile | undefined
      if (raw) {
        for (const k of raw.kev) enrichment.kev.set(k.cveID, k)
        for (const [cve, score] of raw.epss) enrichment.epss.set(cve, score)
        enrichment.kevVersion = raw.kevVersion
      }
    } catch (err) {
      onError('enrichment.json', err)
    }
    return { advisories, enrichment }
  }

  /** Stores (or replaces) one advisory; resolves once durable. */
  async save(a: Advisory): Promise<void> {
    await this.docs.put(createHash('sha256').update(a.id).digest('hex'), a)
  }

  async saveEnrichment(e: Enrichment): Promise<void> {
    const file: EnrichmentFile = { kevVersion: e.kevVersion, kev: [...e.kev.values()], epss: [...e.epss] }
    await this.docs.put(ENRICHMENT, file)
  }
}
