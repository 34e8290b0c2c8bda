/**
 * Webhook delivery: every register event an endpoint subscribed to becomes a queued delivery, persisted
 * (`<dataDir>/webhooks/queue.json`) until the endpoint answers 2xx, retried with exponential backoff
 * (base × 2^(attempt-1), capped at an hour) up to `maxAttempts`, then kept as failed.
 *
 * Request: POST, JSON body `{id, event, ts, data}`, headers
 *   X-Vigil-Event: <event>   X-Vigil-Delivery: <id>
 *   X-Vigil-Signature: sha256=<hex HMAC-SHA256 of the raw body with the endpoint's secret>
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import type { Collection, Store } from '../../store/types.js'

export interface WebhookEndpoint {
  id: string
  url: string
  secret: string
  /** Event names, or `*` for all. */
  events: string[]
  description?: string
  createdAt: string
  createdBy: string
}

export interface Delivery {
  id: string
  endpointId: string
  event: string
  body: string
  attempts: number
  nextAt: number
  createdAt: string
  status: 'pending' | 'failed'
  lastError?: string
}

export interface DispatcherOptions {
  store: Store
  baseDelayMs?: number
  maxAttempts?: number
  timeoutMs?: number
  now?: () => number
  onError?: (err: unknown) => void
  /**
   * Whether this hub sends the deliveries now (one hub of a cluster: jobs/ webhooks.deliver; default
   * yes). Another hub's queued deliveries reach its memory through the change feed.
   */
  leader?: () => boolean
}

const NOT_LEADER_RETRY_MS = 5000

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

export class WebhookDispatcher {
  #endpoints: Collection<WebhookEndpoint> | undefined
  #queue: Collection<Delivery> | undefined
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = false
  readonly #now: () => number

  constructor(private readonly o: DispatcherOptions) {
    this.#now = o.now ?? Date.now
  }

  get endpoints(): Collection<WebhookEndpoint> {
    if (!this.#endpoints) throw new Error('webhook dispatcher not started')
    return this.#endpoints
  }

  get queue(): Collection<Delivery> {
    if (!this.#queue) throw new Error('webhook dispatcher not started')
    return this.#queue
  }

  async start(): Promise<void> {
    this.#endpoints = await this.o.store.collection<WebhookEndpoint>('webhooks/endpoints')
    this.#queue = await this.o.store.collection<Delivery>('webhooks/queue')
    this.#schedule()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
    await this.flush()
  }

  /** Settles once every change so far is durable. */
  flush(): Promise<void> {
    return this.o.store.commit()
  }

  addEndpoint(input: { url: string; secret?: string; events: string[]; description?: string }, by: string) {
    const endpoint: WebhookEndpoint = {
      id: randomUUID(),
      url: input.url,
      secret: input.secret ?? randomBytes(32).toString('base64url'),
      events: input.events,
      createdAt: new Date(this.#now()).toISOString(),
      createdBy: by,
      ...(input.description ? { description: input.description } : {}),
    }
    this.endpoints.put(endpoint)
    return endpoint
  }

  /** Queues the event for every endpoint subscribed to it. */
  enqueue(event: string, data: unknown, onlyEndpoint?: string): number {
    let n = 0
    for (const e of this.endpoints.values()) {
      if (onlyEndpoint !== undefined && e.id !== onlyEndpoint) continue
      if (onlyEndpoint === undefined && !e.events.includes('*') && !e.events.includes(event)) continue
      const id = randomUUID()
      const body = JSON.stringify({ id, event, ts: new Date(this.#now()).toISOString(), data })
      this.queue.put({
        id,
        endpointId: e.id,
        event,
        body,
        attempts: 0,
        nextAt: this.#now(),
        createdAt: new Date(this.#now()).toISOString(),
        status: 'pending',
      })
      n++
    }
    if (n > 0) this.#schedule(0)
    return n
  }

  /** Sends what is due now (this hub just took the deliveries over). */
  kick(): void {
    this.#schedule(0)
  }

  #schedule(delay?: number): void {
    if (this.#stopped) return
    // Not the sender now: look again after a while (the sender may die and this hub take over).
    if (this.o.leader && !this.o.leader()) {
      clearTimeout(this.#timer)
      this.#timer = setTimeout(() => this.#schedule(), NOT_LEADER_RETRY_MS)
      this.#timer.unref()
      return
    }
    const pending = this.queue.values().filter((d) => d.status === 'pending')
    if (pending.length === 0) return
    const soonest = Math.min(...pending.map((d) => d.nextAt))
    const wait = delay ?? Math.max(0, soonest - this.#now())
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#running ??= this.run().finally(() => {
        this.#running = undefined
        this.#schedule()
      })
    }, wait)
    this.#timer.unref()
  }

  /** Attempts every delivery that is due. */
  async run(): Promise<void> {
    if (this.o.leader && !this.o.leader()) return
    const due = this.queue.values().filter((d) => d.status === 'pending' && d.nextAt <= this.#now())
    for (const d of due) {
      if (this.#stopped) return
      await this.#attempt(d)
    }
    await this.flush().catch(this.o.onError)
  }

  async #attempt(d: Delivery): Promise<void> {
    const endpoint = this.endpoints.get(d.endpointId)
    if (endpoint === undefined) {
      this.queue.delete(d.id)
      return
    }
    let error: string | undefined
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'vigil-hub-webhook',
          'x-vigil-event': d.event,
          'x-vigil-delivery': d.id,
          'x-vigil-signature': sign(endpoint.secret, d.body),
        },
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      })
      await res.arrayBuffer().catch(() => undefined)
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`
    } catch (err) {
      error = (err as Error).message
    }
    if (error === undefined) {
      this.queue.delete(d.id)
      return
    }
    const attempts = d.attempts + 1
    const failed = attempts >= (this.o.maxAttempts ?? 8)
    const delay = Math.min((this.o.baseDelayMs ?? 1000) * 2 ** (attempts - 1), 3_600_000)
    this.queue.put({
      ...d,
      attempts,
      lastError: error,
      nextAt: this.#now() + delay,
      status: failed ? 'failed' : 'pending',
    })
  }
}
