/**
 * The fleet hardening baseline, kept in `<dataDir>/baselines.json`: the one in force and the history of
 * every published version (newest first). Written atomically (temp file + rename) on each change.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { BaselineHistoryEntry, BaselineState, HardeningBaseline } from '@vigil/protocol'

export class BaselineDb {
  readonly file: string
  #state: BaselineState = { current: null, history: [] }

  constructor(dataDir: string) {
    this.file = join(dataDir, 'baselines.json')
  }

  async load(): Promise<void> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    const parsed = JSON.parse(text) as BaselineState
    this.#state = { current: parsed.current ?? null, history: parsed.history ?? [] }
  }

  state(): BaselineState {
    return this.#state
  }

  current(): HardeningBaseline | null {
    return this.#state.current
  }

  async publish(baseline: HardeningBaseline, by: string, now: Date): Promise<BaselineHistoryEntry> {
    const entry: BaselineHistoryEntry = {
      id: baseline.id,
      version: baseline.version,
      name: baseline.name,
      checks: baseline.checks.length,
      publishedAt: now.toISOString(),
      publishedBy: by,
    }
    const next: BaselineState = { current: baseline, history: [entry, ...this.#state.history].slice(0, 200) }
    await mkdir(dirname(this.file), { recursive: true })
    const tmp = `${this.file}.${process.pid}.tmp`
    await writeFile(tmp, JSON.stringify(next), 'utf8')
    await rename(tmp, this.file)
    this.#state = next
    return entry
  }
}
