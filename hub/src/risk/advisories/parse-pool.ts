/**
 * Parsing, schema checks and normalisation of OSV records off the hub's event loop: one worker thread
 * (started on first use, stopped after a minute without work, never keeping the process alive)
 * prepares batches of texts; the hub's thread only receives the normalised advisories. A first sync
 * of 100,000 records is otherwise ~100,000 JSON parses and schema checks between device messages.
 * When the worker cannot run, `prepare` answers `undefined` and the importer does the work itself.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { ParseRequest } from './parse-worker.js'
import type { Prepared } from './prepare.js'

const IDLE_MS = 60_000

/** From source (tests run the .ts files): the .ts worker, loaded through tsx's hooks in its thread. */
function sourceWorker(): Worker {
  // (resolved from here, as `import` would: require.resolve names the CommonJS build)
  const api = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs')
  const tsx = pathToFileURL(api).href
  const file = new URL('./parse-worker.ts', import.meta.url).href
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(file)}) })`,
    { eval: true },
  )
}

interface Pending {
  resolve(out: Prepared[] | undefined): void
}

export class ParsePool {
  #worker: Worker | undefined
  #broken = false
  #seq = 0
  readonly #pending = new Map<number, Pending>()
  #idle: NodeJS.Timeout | undefined

  #start(): Worker | undefined {
    if (this.#broken) return undefined
    if (this.#worker) return this.#worker
    try {
      const w = import.meta.url.endsWith('.ts')
        ? sourceWorker()
        : new Worker(new URL('./parse-worker.js', import.meta.url))
      w.unref()
      w.on('message', (m: { id: number; out: Prepared[] }) => {
        const p = this.#pending.get(m.id)
        this.#pending.delete(m.id)
        p?.resolve(m.out)
      })
      const fail = () => {
        this.#broken = true
        this.#worker = undefined
        for (const p of this.#pending.values()) p.resolve(undefined)
        this.#pending.clear()
      }
      w.on('error', fail)
      w.on('exit', () => {
        if (this.#worker === w) fail()
      })
      this.#worker = w
      return w
    } catch {
      this.#broken = true
      return undefined
    }
  }

  /** Each text prepared in the worker, in order; `undefined` when the worker is not available. */
  prepare(texts: { file: string; text: string }[], maxDepth: number): Promise<Prepared[] | undefined> {
    if (texts.length === 0) return Promise.resolve([])
    const w = this.#start()
    if (!w) return Promise.resolve(undefined)
    clearTimeout(this.#idle)
    const id = ++this.#seq
    return new Promise<Prepared[] | undefined>((resolve) => {
      this.#pending.set(id, { resolve })
      w.postMessage({ id, maxDepth, texts } satisfies ParseRequest)
    }).finally(() => {
      if (this.#pending.size === 0) {
        this.#idle = setTimeout(() => void this.close(), IDLE_MS)
        this.#idle.unref()
      }
    })
  }

  /** Stops the worker (a later `prepare` starts another). */
  async close(): Promise<void> {
    clearTimeout(this.#idle)
    const w = this.#worker
    this.#worker = undefined
    if (w) await w.terminate()
  }
}
