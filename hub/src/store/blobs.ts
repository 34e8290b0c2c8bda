/**
 * Content-addressed documents, one file per hash (`<dir>/<sha256>.json`), written atomically. Identical
 * gateway images share one stored inventory.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BlobStore } from './types.js'

const HASH = /^[0-9a-f]{64}$/

export class FileBlobStore<T> implements BlobStore<T> {
  private readonly known = new Set<string>()

  constructor(private readonly dir: string) {}

  async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    for (const name of await readdir(this.dir)) {
      const hash = name.replace(/\.json$/, '')
      if (HASH.test(hash) && name.endsWith('.json')) this.known.add(hash)
    }
  }

  has(hash: string): boolean {
    return this.known.has(hash)
  }

  async get(hash: string): Promise<T | undefined> {
    if (!HASH.test(hash) || !this.known.has(hash)) return undefined
    return JSON.parse(await readFile(join(this.dir, `${hash}.json`), 'utf8')) as T
  }

  async put(hash: string, value: T): Promise<void> {
    if (!HASH.test(hash)) throw new TypeError(`not a sha256 hash: ${hash}`)
    if (this.known.has(hash)) return
    const path = join(this.dir, `${hash}.json`)
    const temp = `${path}.${process.pid}.tmp`
    await writeFile(temp, JSON.stringify(value))
    await rename(temp, path)
    this.known.add(hash)
  }
}
