/**
 * Webhook delivery: every register event an endpoint subscribed to becomes a queued delivery, persisted
 * (collection `webhooks/queue`) until the endpoint answers 2xx, retried with exponential backoff
 * (base × 2^(attempt-1), capped at an hour) up to `maxAttempts`, then kept as failed.
 *
 * Once across a cluster (issue 13 point 5; README "Several hubs"):
 * - A delivery of an event with a `key` (what makes the event unique: the finding and its change) has a
 *   deterministic id, hash of endpoint, event name and key. The queue's puts are conditional
 *   (`CollectionOptions.conditionalPuts`): the database refuses to create an id another hub stored, so
 *   two hubs queuing the same event (a correlation holder that lost its lease without dying, and the new
 *   one) store one delivery. A sent delivery stays as a tombstone (status `sent`, body dropped) for
 *   `keepSentMs` (default a day, far longer than any lease overlap) and is then swept, so a late copy is
 *   refused too; an id known in memory is not queued again.
 * - Before sending, the sender claims the deliveries due in one commit (a conditional put of each with
 *   `claim` = this dispatcher until a deadline): of two hubs that both think they hold
 *   `webhooks.deliver`, the database stores one claim of each delivery and refuses the other, whose
 *   memory then shows the winner's. A claim whose holder died expires after the attempt's timeout
 *   (then another hub sends it again: at least once). The embedded engine has one hub: no claim.
 *
 * Request: POST, JSON body `{id, event, ts, data}`, headers
 *   X-Vigil-Event: <event>   X-Vigil-Delivery: <id>
 *   X-Vigil-Signature: sha256=<hex HMAC-SHA256 of the raw body with the endpoint's secret>
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
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
  /** `sent`: a tombstone (body dropped) that keeps the id from being queued again, swept later. */
  status: 'pending' | 'failed' | 'sent'
  lastError?: string
  /** When it was sent (ms since the epoch; `sent` only). */
  sentAt?: number
  /** Several hubs: the dispatcher that sends it now, until when (ms since the epoch). */
  claim?: { by: string; until: number }
}

/** What makes an event unique (deliveries of one key are queued once): see `enqueue`. */
export interface EnqueueOptions {
  key?: string
  /** Only this endpoint (whatever events it subscribed to): a test ping. */
  endpoint?: string
}

export const QUEUE = 'webhooks/queue'

/** The id of the delivery of `event` with `key` to `endpointId`: a UUID-shaped SHA-256 prefix. */
export function deliveryId(endpointId: string, event: string, key: string): string {
  const h = createHash('sha256').update(`${endpointId}\u0000${event}\u0000${key}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
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
  /** How long a sent delivery is kept as a tombstone (default a day). */
  keepSentMs?: number
}

const NOT_LEADER_RETRY_MS = 5000
const DAY = 86_400_000
/** A claim outlives the attempt's timeout by this much (then another hub may send it). */
const CLAIM_MARGIN_MS = 5000

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

export class WebhookDispatcher {
  #endpoints: Collection<WebhookEndpoint> | undefined
  #queue: Collection<Delivery> | undefined
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = false
  #offWatch: (() => void) | undefined
  readonly #now: () => number
  /** This dispatcher in claims. */
  readonly #me = randomUUID()

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
    this.#queue = await this.o.store.collection<Delivery>(QUEUE, { conditionalPuts: true })
    // Several hubs: a delivery another hub queued (or released) is sent from here when this one sends.
    this.#offWatch = this.o.store.watch?.((c) => {
      if (c.collection === QUEUE && c.record !== undefined) this.#schedule()
    })
    this.#schedule()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#offWatch?.()
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

  /** Whether any endpoint is subscribed to one of `events` (else there is nothing to build or queue). */
  wants(events: readonly string[]): boolean {
    // Asked for every register event (thousands per new advisory): no list built when there is none.
    if (this.endpoints.size === 0) return false
    for (const e of this.endpoints.values())
      if (e.events.includes('*') || events.some((name) => e.events.includes(name))) return true
    return false
  }

  /**
   * Queues the event for every endpoint subscribed to it. With `key` (what makes the event unique, the
   * same on every hub that makes it), each delivery's id is `deliveryId(endpoint, event, key)` and a
   * delivery of that id already queued or sent (here, or stored by another hub) is not queued again.
   * Answers how many were queued.
   */
  enqueue(event: string, data: unknown, opts: EnqueueOptions = {}): number {
    let n = 0
    for (const e of this.endpoints.values()) {
      if (opts.endpoint !== undefined && e.id !== opts.endpoint) continue
      if (opts.endpoint === undefined && !e.events.includes('*') && !e.events.includes(event)) continue
      const id = opts.key !== undefined ? deliveryId(e.id, event, opts.key) : randomUUID()
      if (this.queue.get(id) !== undefined) continue
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

  /** Deliveries waiting to be sent or failed (not the tombstones of sent ones). */
  deliveries(): (Delivery & { status: 'pending' | 'failed' })[] {
    return this.queue
      .values()
      .filter((d): d is Delivery & { status: 'pending' | 'failed' } => d.status !== 'sent')
  }

  /** When `d` may be attempted: its `nextAt`, or after another dispatcher's claim ends. */
  #dueAt(d: Delivery): number {
    return d.claim !== undefined && d.claim.by !== this.#me ? Math.max(d.nextAt, d.claim.until) : d.nextAt
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
    const soonest = Math.min(...pending.map((d) => this.#dueAt(d)))
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

  /** Attempts every delivery that is due (claimed first when several hubs may send). */
  async run(): Promise<void> {
    if (this.o.leader && !this.o.leader()) return
    this.#sweep()
    const now = this.#now()
    let due = this.queue.values().filter((d) => d.status === 'pending' && this.#dueAt(d) <= now)
    if (due.length > 0 && this.o.store.cluster !== undefined) due = await this.#claim(due)
    for (const d of due) {
      if (this.#stopped) return
      await this.#attempt(d)
    }
    await this.flush().catch(this.o.onError)
  }

  /**
   * Claims `due` in one commit and answers those this dispatcher won: a claim put over a stored record
   * another hub changed meanwhile (claimed, sent) is refused by the database, and memory shows that
   * record instead.
   */
  async #claim(due: Delivery[]): Promise<Delivery[]> {
    const store = this.o.store
    const mark = store.refusalMark?.() ?? 0
    const until = this.#now() + (this.o.timeoutMs ?? 10_000) + CLAIM_MARGIN_MS
    for (const d of due) this.queue.put({ ...d, claim: { by: this.#me, until } })
    try {
      await store.commit()
    } catch (err) {
      this.o.onError?.(err)
      return []
    }
    return due.flatMap((d) => {
      const held = this.queue.get(d.id)
      if (store.refusedSince?.(QUEUE, d.id, mark) || held?.claim?.by !== this.#me) return []
      return [held]
    })
  }

  /** Tombstones of sent deliveries older than `keepSentMs` are deleted. */
  #sweep(): void {
    const before = this.#now() - (this.o.keepSentMs ?? DAY)
    for (const d of this.queue.values())
      if (d.status === 'sent' && (d.sentAt ?? 0) < before) this.queue.delete(d.id)
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
    const { claim: _claim, ...released } = d
    if (error === undefined) {
      // Kept (without its body) so that a late copy of the event is not queued and sent again.
      this.queue.put({ ...released, body: '', attempts: d.attempts + 1, status: 'sent', sentAt: this.#now() })
      return
    }
    const attempts = d.attempts + 1
    const failed = attempts >= (this.o.maxAttempts ?? 8)
    const delay = Math.min((this.o.baseDelayMs ?? 1000) * 2 ** (attempts - 1), 3_600_000)
    this.queue.put({
      ...released,
      attempts,
      lastError: error,
      nextAt: this.#now() + delay,
      status: failed ? 'failed' : 'pending',
    })
  }
}
