/**
 * Polite HTTP for feeds: conditional requests (ETag / If-Modified-Since), a timeout and a size bound
 * per request, retries with exponential backoff on network errors, timeouts, 429 and 5xx. Counts the
 * requests and bytes of one sync. Feed URLs are set by an admin, so internal mirrors over plain http
 * are allowed (the vendor-artifact address guard does not apply here).
 */

import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import type { Validator } from './db.js'

export interface HttpPolicy {
  timeoutMs: number
  maxBytes: number
  retries: number
  backoffMs: number
}

export const DEFAULT_HTTP_POLICY: HttpPolicy = {
  timeoutMs: 30_000,
  maxBytes: 64 * 1024 * 1024,
  retries: 3,
  backoffMs: 1000,
}

export class FeedFetchError extends Error {
  constructor(
    readonly url: string,
    message: string,
    readonly status?: number,
  ) {
    super(message)
  }
}

export type Fetched =
  | { status: 200; body: Buffer; validator: Validator }
  | { status: 304; validator: Validator }
  | { status: 404 }

export interface GetOptions {
  validator?: Validator
  /** Overrides the policy's size bound (e.g. a whole OSV ecosystem zip). */
  maxBytes?: number
}

const RETRY = new Set([408, 425, 429, 500, 502, 503, 504])
const UA = 'vigil-hub (advisory feeds)'

export class FeedHttp {
  requests = 0
  bytes = 0

  constructor(
    private readonly policy: HttpPolicy,
    private readonly signal: AbortSignal,
  ) {}

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.signal.aborted) return reject(this.signal.reason)
      const t = setTimeout(() => {
        this.signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = () => {
        clearTimeout(t)
        reject(this.signal.reason)
      }
      this.signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  async #attempt<T>(url: string, run: (attempt: number) => Promise<T>): Promise<T> {
    let last: unknown
    for (let attempt = 0; attempt <= this.policy.retries; attempt++) {
      if (attempt > 0) await this.#sleep(this.policy.backoffMs * 2 ** (attempt - 1))
      try {
        return await run(attempt)
      } catch (err) {
        if (this.signal.aborted) throw this.signal.reason
        last = err
        if (err instanceof FeedFetchError && err.status !== undefined && !RETRY.has(err.status)) throw err
      }
    }
    throw last instanceof FeedFetchError ? last : new FeedFetchError(url, `${url}: ${describe(last)}`)
  }

  async #open(url: string, validator: Validator | undefined): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': UA }
    if (validator?.etag) headers['if-none-match'] = validator.etag
    if (validator?.lastModified) headers['if-modified-since'] = validator.lastModified
    this.requests++
    const timeout = AbortSignal.timeout(this.policy.timeoutMs)
    try {
      return await fetch(url, {
        headers,
        signal: AbortSignal.any([this.signal, timeout]),
        redirect: 'follow',
      })
    } catch (err) {
      if (timeout.aborted)
        throw new FeedFetchError(url, `${url}: timed out after ${this.policy.timeoutMs} ms`)
      throw err
    }
  }

  /** GET with the body in memory (bounded). 404 is an answer, not an error; other failures throw. */
  get(url: string, opts: GetOptions = {}): Promise<Fetched> {
    const max = opts.maxBytes ?? this.policy.maxBytes
    return this.#attempt(url, async () => {
      const started = Date.now()
      const res = await this.#open(url, opts.validator)
      const answered = await notModifiedOrMissing(res, url, opts.validator)
      if (answered) return answered
      const chunks: Buffer[] = []
      let size = 0
      const remaining = () => this.policy.timeoutMs - (Date.now() - started)
      for await (const chunk of withDeadline(res.body, remaining, url)) {
        size += chunk.byteLength
        this.bytes += chunk.byteLength
        if (size > max) throw new FeedFetchError(url, `${url}: larger than ${max} bytes`, 413)
        chunks.push(Buffer.from(chunk))
      }
      return { status: 200, body: Buffer.concat(chunks), validator: validatorOf(res) }
    })
  }

  /** GET streamed to a file (never the whole body in memory); bounded by `maxBytes`. */
  download(url: string, file: string, opts: GetOptions & { idleMs?: number } = {}): Promise<Fetched> {
    const max = opts.maxBytes ?? this.policy.maxBytes
    return this.#attempt(url, async () => {
      const res = await this.#open(url, opts.validator)
      const answered = await notModifiedOrMissing(res, url, opts.validator)
      if (answered) return answered
      const out = createWriteStream(file)
      let size = 0
      try {
        // A large download may take longer than one request's timeout: the bound is between chunks.
        for await (const chunk of withIdle(res.body, opts.idleMs ?? this.policy.timeoutMs, url)) {
          size += chunk.byteLength
          this.bytes += chunk.byteLength
          if (size > max) throw new FeedFetchError(url, `${url}: larger than ${max} bytes`, 413)
          if (!out.write(chunk)) await once(out, 'drain')
        }
      } finally {
        out.end()
        await once(out, 'close')
      }
      return { status: 200, body: Buffer.alloc(0), validator: validatorOf(res) }
    })
  }
}

function validatorOf(res: Response): Validator {
  const etag = res.headers.get('etag') ?? undefined
  const lastModified = res.headers.get('last-modified') ?? undefined
  return { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause
    return cause?.code ?? cause?.message ?? err.message
  }
  return String(err)
}

async function* withIdle(
  body: ReadableStream<Uint8Array> | null,
  idleMs: number,
  url: string,
): AsyncGenerator<Uint8Array> {
  yield* withDeadline(body, () => idleMs, url)
}

/** Reads a body, failing when the next chunk does not arrive within `remaining()` ms. */
async function* withDeadline(
  body: ReadableStream<Uint8Array> | null,
  remaining: () => number,
  url: string,
): AsyncGenerator<Uint8Array> {
  if (body === null) return
  const reader = body.getReader()
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined
      const wait = Math.max(1, remaining())
      const next = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new FeedFetchError(url, `${url}: timed out reading the body`)),
            wait,
          )
        }),
      ]).finally(() => clearTimeout(timer))
      if (next.done) return
      yield next.value
    }
  } finally {
    reader.cancel().catch(() => {})
  }
}

/** 304 and 404/410 are answers; any other status but 200 is a failure (thrown); 200 answers undefined. */
async function notModifiedOrMissing(
  res: Response,
  url: string,
  validator: GetOptions['validator'],
): Promise<Fetched | undefined> {
  if (res.status === 304) return { status: 304, validator: validator ?? {} }
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel()
    return { status: 404 }
  }
  if (res.status !== 200) {
    await res.body?.cancel()
    throw new FeedFetchError(url, `${url}: HTTP ${res.status}`, res.status)
  }
  return undefined
}
