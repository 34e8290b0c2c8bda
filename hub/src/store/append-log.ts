/**
 * Append-only JSON Lines log (audit trail, device events): entries are appended, never rewritten. A torn
 * last line after `kill -9` is skipped when reading.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { AppendLog } from './types.js'

export class JsonlLog<T> implements AppendLog<T> {
  private queue: string[] = []
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly path: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  append(entry: T): void {
    this.queue.push(`${JSON.stringify(entry)}\n`)
    if (this.queue.length === 1) this.writing = this.writing.then(() => this.drain()).catch(this.onError)
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const chunk = this.queue.join('')
      this.queue = []
      await mkdir(dirname(this.path), { recursive: true })
      await appendFile(this.path, chunk, 'utf8')
    }
  }

  /** Waits until everything appended so far is on disk. */
  async settle(): Promise<void> {
    await this.writing
    if (this.queue.length > 0) await this.drain()
  }

  async read(opts: { limit?: number; offset?: number; filter?: (entry: T) => boolean } = {}): Promise<T[]> {
    await this.settle()
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const out: T[] = []
    const lines = text.split('\n')
    const { limit = 100, offset = 0, filter } = opts
    let skipped = 0
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      const line = lines[i]
      if (!line) continue
      let entry: T
      try {
        entry = JSON.parse(line) as T
      } catch {
        continue
      }
      if (filter && !filter(entry)) continue
      if (skipped++ < offset) continue
      out.push(entry)
    }
    return out
  }
}
