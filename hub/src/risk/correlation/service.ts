/**
 * Advisory intake for a running hub: files (watched folder), uploaded documents (API) and the CLI all
 * go through `importAdvisories` with a sink that stores the advisory and feeds the correlation engine,
 * then merge any KEV/EPSS tables. Newer revisions replace older; a withdrawn revision resolves findings.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type Advisory,
  type AdvisorySink,
  type ImportOptions,
  type ImportSummary,
  type ImportText,
  importAdvisories,
  importTexts,
} from '../advisories/index.js'
import { ParsePool } from '../advisories/parse-pool.js'
import { type AdvisoryDb, type Enrichment, PACK_MAX } from './advisory-db.js'
import type { CorrelationEngine } from './engine.js'

export class AdvisoryService {
  /** Serialises imports: the watcher, the API and startup never interleave. */
  #chain: Promise<unknown> = Promise.resolve()
  /** OSV records of feeds and bundles are parsed and normalised off the event loop. */
  readonly #pool = new ParsePool()

  constructor(
    private readonly engine: CorrelationEngine,
    private readonly db: AdvisoryDb,
  ) {}

  /**
   * Feeds the engine at once and stores in packs: what an import accepted is written as it fills a
   * pack, and the rest by `done()` (the import answers only after that, so what it reports is durable).
   */
  sink(): AdvisorySink & { done(): Promise<void> } {
    let pending: Advisory[] = []
    const write = () => {
      const list = pending
      pending = []
      return this.db.saveMany(list)
    }
    return {
      upsert: (a: Advisory) => {
        const outcome = this.engine.upsertAdvisory(a)
        if (outcome === 'stale') return outcome
        pending.push(a)
        return pending.length >= PACK_MAX ? write().then(() => outcome) : outcome
      },
      done: write,
    }
  }

  async #merge(summary: ImportSummary): Promise<void> {
    if (summary.kev.size === 0 && summary.epss.size === 0) return
    const e: Enrichment = {
      kev: summary.kev.size > 0 ? new Map(summary.kev) : this.engine.enrichment.kev,
      epss: new Map([...this.engine.enrichment.epss, ...summary.epss]),
      kevVersion: summary.kevVersion ?? this.engine.enrichment.kevVersion,
    }
    await this.db.saveEnrichment(e)
    this.engine.setEnrichment(e)
  }

  importPaths(paths: string[], opts: Pick<ImportOptions, 'onProgress'> = {}): Promise<ImportSummary> {
    const run = this.#chain.then(async () => {
      const sink = this.sink()
      const summary = await importAdvisories(paths, {
        ...opts,
        sink,
        vendors: this.engine.advisories.vendors,
      }).finally(() => sink.done())
      await this.#merge(summary)
      return summary
    })
    this.#chain = run.catch(() => undefined)
    return run
  }

  /**
   * Documents already in memory (feeds, bundles), in the same serialised chain as files. The caller
   * hands them in bounded chunks, so the event loop is yielded between chunks.
   */
  importTexts(texts: ImportText[]): Promise<ImportSummary> {
    const run = this.#chain.then(async () => {
      const sink = this.sink()
      const summary = await importTexts(texts, {
        sink,
        vendors: this.engine.advisories.vendors,
        pool: this.#pool,
      }).finally(() => sink.done())
      await this.#merge(summary)
      return summary
    })
    this.#chain = run.catch(() => undefined)
    return run
  }

  /** How many advisories the running hub correlates with. */
  get advisoryCount(): number {
    return this.engine.advisories.size
  }

  /** One uploaded JSON document, checked exactly like a file (schemas, size, nesting). */
  async importDocument(text: string, tempRoot: string): Promise<ImportSummary> {
    const dir = await mkdtemp(join(tempRoot, 'upload-'))
    const file = join(dir, 'upload.json')
    try {
      await writeFile(file, text)
      const summary = await this.importPaths([file])
      const clean = (list: { file: string; reason: string }[]) =>
        list.map((i) => ({ file: 'upload', reason: i.reason.split(file).join('upload') }))
      return {
        ...summary,
        rejected: clean(summary.rejected),
        skipped: clean(summary.skipped),
        notes: clean(summary.notes),
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}
