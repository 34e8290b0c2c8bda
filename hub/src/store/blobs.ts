/**
 * Documents kept one file each under a directory (`<dir>/<key>.json`), written atomically and durably.
 *
 * - Content-addressed (`FileBlobStore`, inventories and hardening reports): the key is the SHA-256 of
 *   the content, which the caller has verified; a second put of a known hash is a no-op, and any number
 *   of concurrent puts of one hash share one write. A put is **staged** in memory and written by the
 *   store's next commit round (`persistStaged`), before that round writes the journal: every new
 *   document of the round is written and fsynced in parallel, renamed, and its directory fsynced once,
 *   so no journal line can name a document that is not durable, and 100 inventories in one round cost
 *   one directory fsync instead of 100 (the file fsyncs run in parallel inside the round).
 * - Keyed (`FileDocStore`, e.g. advisories): a put replaces the document atomically.
 */
import { readdir, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { StoreCorruptError } from './errors.js'
import { eachAtOnce, ensureDir, fsyncDir, isTempName, removeTempFiles, writeFileAtomic } from './fsx.js'
import type { BlobStore, DocStore } from './types.js'

const HASH = /^[0-9a-f]{64}$/
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

class FileDocs<T> {
  protected readonly known = new Set<string>()
  /** One write per key at a time; later puts of the same key wait for it. */
  protected readonly writing = new Map<string, Promise<void>>()

  constructor(
    readonly dir: string,
    protected readonly keyPattern: RegExp,
  ) {}

  async load(): Promise<void> {
    await ensureDir(this.dir)
    await removeTempFiles(this.dir)
    for (const name of await readdir(this.dir)) {
      if (isTempName(name) || !name.endsWith('.json')) continue
      const key = name.slice(0, -'.json'.length)
      if (this.keyPattern.test(key)) this.known.add(key)
    }
  }

  has(key: string): boolean {
    return this.known.has(key)
  }

  keys(): string[] {
    return [...this.known]
  }

  get size(): number {
    return this.known.size
  }

  pathOf(key: string): string {
    return join(this.dir, `${key}.json`)
  }

  async get(key: string): Promise<T | undefined> {
    if (!this.keyPattern.test(key) || !this.known.has(key)) return undefined
    await this.writing.get(key)
    let text: string
    try {
      text = await readFile(this.pathOf(key), 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new StoreCorruptError(this.pathOf(key), 'missing')
      throw err
    }
    try {
      return JSON.parse(text) as T
    } catch (err) {
      throw new StoreCorruptError(this.pathOf(key), `not valid JSON (${(err as Error).message})`)
    }
  }

  protected async write(key: string, value: T): Promise<void> {
    if (!this.keyPattern.test(key)) throw new TypeError(`not a valid document key: ${key}`)
    const text = JSON.stringify(value)
    const previous = this.writing.get(key)
    const job = (async () => {
      await previous?.catch(() => undefined)
      await writeFileAtomic(this.pathOf(key), text)
      this.known.add(key)
    })()
    this.writing.set(key, job)
    try {
      await job
    } finally {
      if (this.writing.get(key) === job) this.writing.delete(key)
    }
  }

  /** Drops a key whose file was moved away (check --repair). */
  async forget(key: string): Promise<void> {
    this.known.delete(key)
  }

  async delete(key: string): Promise<boolean> {
    if (!(await this.unlinkKey(key))) return false
    await fsyncDir(this.dir)
    return true
  }

  /** Deletes many keys (a few at a time), then syncs the directory once. */
  async deleteMany(keys: string[]): Promise<void> {
    await eachAtOnce(keys, 8, (key) => this.unlinkKey(key))
    if (keys.length > 0) await fsyncDir(this.dir)
  }

  protected async unlinkKey(key: string): Promise<boolean> {
    if (!this.known.has(key)) return false
    await this.writing.get(key)?.catch(() => undefined)
    this.known.delete(key)
    await unlink(this.pathOf(key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
    })
    return true
  }
}

export class FileBlobStore<T> extends FileDocs<T> implements BlobStore<T> {
  /** Documents put but not yet on disk (hash → JSON text): written by the next commit round. */
  private readonly staged = new Map<string, string>()

  /** `commit` is the store's group commit: a put is durable once the round it joins settles. */
  constructor(
    dir: string,
    private readonly commit: () => Promise<void>,
  ) {
    super(dir, HASH)
  }

  override has(hash: string): boolean {
    return this.known.has(hash) || this.staged.has(hash)
  }

  /** Stored and staged hashes (a staged one is served by `get` and collected like a stored one). */
  override keys(): string[] {
    if (this.staged.size === 0) return [...this.known]
    return [...new Set([...this.known, ...this.staged.keys()])]
  }

  /** Hashes whose file is on disk (backup lists these). */
  storedKeys(): string[] {
    return [...this.known]
  }

  override get size(): number {
    return this.keys().length
  }

  override async get(hash: string): Promise<T | undefined> {
    const text = this.staged.get(hash)
    if (text !== undefined) return JSON.parse(text) as T
    return super.get(hash)
  }

  /**
   * Stores `value` under its (verified) content hash. It is staged at once (synchronously: `has` and
   * `get` answer it, and a journal line written after this call is in the same or a later round) and
   * durable when the returned promise settles. A caller that commits anyway (ingest: the device update
   * and this document in one round) need not await it separately.
   */
  async put(hash: string, value: T, text?: string): Promise<void> {
    if (!HASH.test(hash)) throw new TypeError(`not a sha256 hash: ${hash}`)
    if (this.known.has(hash)) return
    if (!this.staged.has(hash)) this.staged.set(hash, text ?? JSON.stringify(value))
    await this.commit()
  }

  hasStaged(): boolean {
    return this.staged.size > 0
  }

  /**
   * The commit round's part: every document staged when called (taken synchronously) is written to a
   * unique temp file and fsynced, all in parallel, renamed into place, then the directory is fsynced
   * once. On failure nothing is lost: what was taken stays staged for the next round.
   */
  persistStaged(): Promise<void> {
    if (this.staged.size === 0) return Promise.resolve()
    const batch = [...this.staged]
    return (async () => {
      const results = await Promise.allSettled(
        batch.map(([hash, text]) => writeFileAtomic(this.pathOf(hash), text, { deferDirSync: true })),
      )
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed) throw failed.reason
      await fsyncDir(this.dir)
      for (const [hash, text] of batch) {
        if (this.staged.get(hash) === text) {
          this.staged.delete(hash)
          this.known.add(hash)
        } else if (!this.staged.has(hash) && !this.known.has(hash)) {
          // Deleted while the round wrote it: not kept.
          await unlink(this.pathOf(hash)).catch(() => undefined)
        }
      }
    })()
  }

  protected override async unlinkKey(key: string): Promise<boolean> {
    const wasStaged = this.staged.delete(key)
    return (await super.unlinkKey(key)) || wasStaged
  }
}

export class FileDocStore<T> extends FileDocs<T> implements DocStore<T> {
  constructor(dir: string) {
    super(dir, KEY)
  }

  put(key: string, value: T): Promise<void> {
    return this.write(key, value)
  }
}
