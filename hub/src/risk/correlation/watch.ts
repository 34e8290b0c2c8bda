/**
 * The watched advisory folder (`<dataDir>/advisories`): scanned once at start, then on every change
 * (fs.watch, recursive, debounced). Only files whose size or mtime changed since the last scan are
 * imported; refusals are logged with the file and the reason.
 */
import { type FSWatcher, watch } from 'node:fs'
import { mkdir, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ImportSummary } from '../advisories/index.js'

export interface FolderWatchOptions {
  dir: string
  debounceMs: number
  importPaths(paths: string[]): Promise<ImportSummary>
  onSummary(summary: ImportSummary): void
  onError(err: unknown): void
}

async function listFiles(dir: string, depth = 0): Promise<string[]> {
  if (depth > 16) return []
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listFiles(p, depth + 1)))
    else if (entry.isFile() && /\.(json|csv)$/i.test(entry.name)) out.push(p)
  }
  return out
}

export class FolderWatch {
  readonly #seen = new Map<string, string>()
  #watcher: FSWatcher | undefined
  #timer: NodeJS.Timeout | undefined
  #scanning: Promise<void> = Promise.resolve()
  #closed = false

  constructor(private readonly o: FolderWatchOptions) {}

  async start(): Promise<void> {
    await mkdir(this.o.dir, { recursive: true })
    await this.scan()
    this.#watcher = watch(this.o.dir, { recursive: true }, () => this.#poke())
    this.#watcher.on('error', this.o.onError)
  }

  #poke(): void {
    if (this.#closed) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      void this.scan()
    }, this.o.debounceMs)
    this.#timer.unref()
  }

  /** Imports what changed since the last scan. */
  scan(): Promise<void> {
    this.#scanning = this.#scanning.then(async () => {
      const changed: string[] = []
      for (const file of await listFiles(this.o.dir)) {
        const st = await stat(file).catch(() => null)
        if (st === null) continue
        const sig = `${st.size}:${st.mtimeMs}`
        if (this.#seen.get(file) === sig) continue
        this.#seen.set(file, sig)
        changed.push(file)
      }
      if (changed.length === 0) return
      try {
        this.o.onSummary(await this.o.importPaths(changed))
      } catch (err) {
        this.o.onError(err)
      }
    })
    return this.#scanning
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#watcher?.close()
    await this.#scanning
  }
}
