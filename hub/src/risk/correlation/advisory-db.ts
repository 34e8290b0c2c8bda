/**
 * Where the hub keeps advisories: the store's `advisory-db` documents. Advisories are written in
 * packs — one document per import batch (a feed chunk, a folder import), up to `PACK_MAX` advisories —
 * so a first sync of 100,000 records is a few hundred durable writes, not 100,000, and a restart reads
 * a few hundred files. Packs are replayed in sequence order: the newest pack holding an id wins (a
 * newer revision is written in a later pack). A pack none of whose advisories is current any more is
 * deleted; packs left small by replacements are merged now and then. The index is derived from these
 * at startup.
 *
 *   <dataDir>/advisory-db/pack-<seq>.json     { v: 1, advisories: Advisory[] }
 *   <dataDir>/advisory-db/<sha256(id)>.json   one Advisory (the layout before packs: read, moved into packs)
 *   <dataDir>/advisory-db/enrichment.json     { kevVersion, kev: KevEntry[], epss: [cve, score][] }
 */

import { randomBytes } from 'node:crypto'
import type { DocStore, Store } from '../../store/types.js'
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

interface PackFile {
  v: 1
  advisories: Advisory[]
}

type Doc = Advisory | EnrichmentFile | PackFile

/** The per-advisory files of the layout before packs. */
const LEGACY_KEY = /^[0-9a-f]{64}$/
/** `pack-<seq>` or `pack-<seq>-<writer>`: several hubs on one database never write the same key. */
const PACK_KEY = /^pack-(\d{12})(?:-[0-9a-f]{8})?$/
const ENRICHMENT = 'enrichment'
/** Advisories per pack at most (~1.5 KB each as JSON: a pack is well under 1 MB). */
export const PACK_MAX = 500
/** A pack with fewer current advisories than this is "small"; this many small packs are merged. */
const SMALL = PACK_MAX / 4
const MERGE_AT = 16
/** Files read at once at start. */
const READ_AHEAD = 16

const packKey = (seq: number, writer: string) => `pack-${String(seq).padStart(12, '0')}-${writer}`

export class AdvisoryDb {
  /** Each current advisory and the pack that holds it (the same objects the engine holds). */
  readonly #held = new Map<string, { a: Advisory; pack: string }>()
  /** Pack key → ids it holds that are current. */
  readonly #packs = new Map<string, Set<string>>()
  #seq = 0
  /** This instance's part of its pack keys (another hub on the same database has its own). */
  readonly #writer = randomBytes(4).toString('hex')
  /** Writes one after the other (packs, merges, deletions). */
  #chain: Promise<unknown> = Promise.resolve()

  private constructor(private readonly docs: DocStore<Doc>) {}

  static async open(store: Store): Promise<AdvisoryDb> {
    return new AdvisoryDb(await store.docs<Doc>('advisory-db'))
  }

  /** How many packs hold current advisories (tests, metrics). */
  get packCount(): number {
    return this.#packs.size
  }

  /**
   * Every stored advisory and the enrichment tables; unreadable files are reported (named), not fatal.
   * Advisories still in per-advisory files (the layout before packs) are moved into packs.
   */
  async load(onError: (file: string, err: unknown) => void = () => {}): Promise<{
    advisories: Advisory[]
    enrichment: Enrichment
  }> {
    const keys = this.docs.keys()
    const legacy = keys.filter((k) => LEGACY_KEY.test(k)).sort()
    const packs = keys.filter((k) => PACK_KEY.test(k)).sort()
    const read = async (key: string) => {
      try {
        return await this.docs.get(key)
      } catch (err) {
        onError(`${key}.json`, err)
        return undefined
      }
    }
    const legacyDocs = await readAll(legacy, read)
    const moved: Advisory[] = []
    for (const doc of legacyDocs) {
      const a = doc as Advisory | undefined
      if (a && typeof a.id === 'string') {
        moved.push(a)
        this.#held.set(a.id, { a, pack: '' })
      }
    }
    const packDocs = await readAll(packs, read)
    const readable = new Set<string>()
    for (const [i, doc] of packDocs.entries()) {
      const key = packs[i] as string
      this.#seq = Math.max(this.#seq, Number(PACK_KEY.exec(key)?.[1] ?? 0))
      const list = (doc as PackFile | undefined)?.advisories
      if (!Array.isArray(list)) {
        if (doc !== undefined) onError(`${key}.json`, new Error('not an advisory pack'))
        continue
      }
      readable.add(key)
      for (const a of list) if (a && typeof a.id === 'string') this.#place(a, key)
    }
    // Packs that hold nothing current (a deletion cut short) are dropped; a damaged one stays for repair.
    for (const key of readable) if (!this.#packs.has(key)) await this.docs.delete(key).catch(() => false)
    const stillLegacy = moved.filter((a) => this.#held.get(a.id)?.pack === '')
    if (stillLegacy.length > 0) await this.#write(stillLegacy)
    // A crash before this: the per-advisory files are read again next time, and the packs win.
    await this.docs.deleteMany(legacy).catch((err) => onError('advisory-db', err))

    const enrichment = await this.readEnrichment().catch((err: unknown) => {
      onError('enrichment.json', err)
      return { kev: new Map(), epss: new Map(), kevVersion: null } satisfies Enrichment
    })
    return { advisories: [...this.#held.values()].map((h) => h.a), enrichment }
  }

  /** The stored KEV/EPSS tables (empty when none are stored). */
  async readEnrichment(): Promise<Enrichment> {
    const enrichment: Enrichment = { kev: new Map(), epss: new Map(), kevVersion: null }
    const raw = (await this.docs.get(ENRICHMENT)) as EnrichmentFile | undefined
    if (raw) {
      for (const k of raw.kev) enrichment.kev.set(k.cveID, k)
      for (const [cve, score] of raw.epss) enrichment.epss.set(cve, score)
      enrichment.kevVersion = raw.kevVersion
    }
    return enrichment
  }

  /**
   * Several hubs on one database: what another hub stored under `key` (the change feed told of it).
   * Answers the advisories of a pack (empty for any other key); this instance's later packs sort after
   * it. Those the engine took (newer than held) are then `adopt`ed.
   */
  async readRemote(key: string): Promise<Advisory[]> {
    const seq = PACK_KEY.exec(key)?.[1]
    if (seq === undefined) return []
    this.#seq = Math.max(this.#seq, Number(seq))
    const list = ((await this.docs.get(key)) as PackFile | undefined)?.advisories
    return Array.isArray(list) ? list.filter((a) => a && typeof a.id === 'string') : []
  }

  /**
   * `a`, read from another hub's pack `key`, is the current revision here: a later merge or revision
   * on this hub starts from it (not from an older one it held), and the pack is deleted once nothing
   * in it is current.
   */
  adopt(a: Advisory, key: string): void {
    this.#place(a, key)
  }

  /** Whether `key` names the enrichment tables. */
  static isEnrichment(key: string): boolean {
    return key === ENRICHMENT
  }

  /** Records that `a` is current and held by `pack` (in memory). */
  #place(a: Advisory, pack: string): void {
    const prior = this.#held.get(a.id)
    if (prior) this.#packs.get(prior.pack)?.delete(a.id)
    this.#held.set(a.id, { a, pack })
    let ids = this.#packs.get(pack)
    if (!ids) {
      ids = new Set()
      this.#packs.set(pack, ids)
    }
    ids.add(a.id)
  }

  /** Writes `list` as new packs (durable when resolved), then drops packs that hold nothing current. */
  async #write(list: Advisory[]): Promise<void> {
    const before = new Set<string>()
    for (let i = 0; i < list.length; i += PACK_MAX) {
      const part = list.slice(i, i + PACK_MAX)
      const key = packKey(++this.#seq, this.#writer)
      await this.docs.put(key, { v: 1, advisories: part })
      for (const a of part) {
        const prior = this.#held.get(a.id)?.pack
        if (prior) before.add(prior)
        this.#place(a, key)
      }
    }
    for (const key of before) {
      if (this.#packs.get(key)?.size === 0) {
        this.#packs.delete(key)
        await this.docs.delete(key)
      }
    }
  }

  /** Merges the small packs into full ones once there are `MERGE_AT` of them. */
  async #merge(): Promise<void> {
    const small = [...this.#packs].filter(([, ids]) => ids.size < SMALL)
    if (small.length < MERGE_AT) return
    const list: Advisory[] = []
    for (const [, ids] of small) for (const id of ids) list.push((this.#held.get(id) as { a: Advisory }).a)
    await this.#write(list)
  }

  /**
   * Stores (or replaces) advisories, in packs of up to `PACK_MAX`; resolves once durable. The same id
   * twice in `list`: the later one is kept.
   */
  saveMany(list: Advisory[]): Promise<void> {
    if (list.length === 0) return Promise.resolve()
    const last = new Map(list.map((a) => [a.id, a]))
    const run = this.#chain.then(async () => {
      await this.#write([...last.values()])
      await this.#merge()
    })
    this.#chain = run.catch(() => undefined)
    return run
  }

  /** Stores (or replaces) one advisory; resolves once durable. */
  save(a: Advisory): Promise<void> {
    return this.saveMany([a])
  }

  async saveEnrichment(e: Enrichment): Promise<void> {
    const file: EnrichmentFile = { kevVersion: e.kevVersion, kev: [...e.kev.values()], epss: [...e.epss] }
    await this.docs.put(ENRICHMENT, file)
  }
}

/** Reads every key, `READ_AHEAD` at a time; answers the documents in the keys' order. */
async function readAll<T>(keys: string[], read: (key: string) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(keys.length)
  let next = 0
  const worker = async () => {
    while (next < keys.length) {
      const i = next++
      out[i] = await read(keys[i] as string)
    }
  }
  await Promise.all(Array.from({ length: Math.min(READ_AHEAD, keys.length) }, worker))
  return out
}
