/**
 * A lowdb adapter for one JSON file that is durable: reads name the file when it is damaged, writes go
 * through the store's one atomic-write helper (unique temp → fsync → rename). lowdb's own `DataFile`
 * (steno) renames without fsync, which does not survive a power cut.
 */
import { readFile } from 'node:fs/promises'
import type { Adapter } from 'lowdb'
import { StoreCorruptError } from './errors.js'
import { writeFileAtomic } from './fsx.js'

export class DurableJsonFile<T> implements Adapter<T> {
  constructor(readonly path: string) {}

  async read(): Promise<T | null> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
    try {
      return JSON.parse(text) as T
    } catch (err) {
      throw new StoreCorruptError(
        this.path,
        text.length === 0 ? 'empty (truncated)' : `not valid JSON (${(err as Error).message})`,
      )
    }
  }

  /** lowdb's adapter contract. */
  async write(data: T): Promise<void> {
    await this.writeMeasured(data)
  }

  /** Writes and answers the size and the synchronous serialisation time (metrics). */
  async writeMeasured(data: T): Promise<{ bytes: number; serializeMs: number }> {
    const started = performance.now()
    const text = JSON.stringify(data)
    const serializeMs = performance.now() - started
    await writeFileAtomic(this.path, text, { deferDirSync: true })
    return { bytes: Buffer.byteLength(text), serializeMs }
  }
}
