/**
 * Group commit: many writers, one fsync per round. A writer changes memory, queues its record in a
 * durable participant (the journal, an append log) and awaits `commit()`; the promise settles once a
 * round that started after the call has written and fsynced every participant. Rounds start at most
 * once per `windowMs` (an idle hub commits at once), so a burst of 10,000 messages costs a handful of
 * fsyncs, never one per message.
 *
 * A failed round (disk full, I/O error) rejects its waiters with a coded `StorageError`; participants
 * keep what they could not write and the committer retries on its own until it succeeds, so the hub
 * recovers by itself when space returns. `health()` says why it is failing meanwhile.
 */
import { StorageError, toStorageError } from './errors.js'

export interface Durable {
  /** Whether anything is queued that is not durable yet. */
  hasPending(): boolean
  /**
   * Writes and fsyncs everything queued. On failure nothing is lost: what was not written stays
   * queued (and nothing torn is left in the file), and the error is thrown.
   */
  persist(): Promise<void>
}

export interface GroupCommitOptions {
  windowMs: number
  /** Retry interval while failing. */
  retryMs?: number
  now?: () => number
  onRound?(info: { ms: number; participants: number; waiters: number }): void
  onError?(err: StorageError): void
}

interface Waiter {
  resolve(): void
  reject(err: unknown): void
}

export class GroupCommit {
  private readonly participants = new Set<Durable>()
  /** Waiters of the round that has not started yet. */
  private next: Waiter[] = []
  /** Cancels the scheduled start of the next round, if one is scheduled. */
  private scheduled: (() => void) | undefined
  private running: Promise<void> | undefined
  private lastStart = Number.NEGATIVE_INFINITY
  private failure: StorageError | undefined
  private retryTimer: NodeJS.Timeout | undefined
  private closed = false
  private readonly now: () => number

  constructor(private readonly opts: GroupCommitOptions) {
    this.now = opts.now ?? (() => performance.now())
  }

  add(p: Durable): void {
    this.participants.add(p)
  }

  /** Why storage is failing right now, if it is. */
  health(): { ok: true } | { ok: false; code: StorageError['code']; reason: string } {
    return this.failure ? { ok: false, code: this.failure.code, reason: this.failure.message } : { ok: true }
  }

  /** Settles once everything queued before the call is durable. */
  commit(): Promise<void> {
    if (this.closed) return Promise.reject(new StorageError('STORAGE_CLOSED', 'the store is closed'))
    const p = new Promise<void>((resolve, reject) => this.next.push({ resolve, reject }))
    this.schedule()
    return p
  }

  private schedule(): void {
    if (this.scheduled || this.running) return
    const wait = Math.max(0, this.lastStart + this.opts.windowMs - this.now())
    if (wait === 0) {
      // Still asynchronous: writers of this tick join the round. `setImmediate` (the end of this turn
      // of the event loop), not a 0 ms timer, which would wait for the next turn of a busy loop.
      const immediate = setImmediate(() => this.start())
      this.scheduled = () => clearImmediate(immediate)
    } else {
      const timer = setTimeout(() => this.start(), wait)
      this.scheduled = () => clearTimeout(timer)
    }
  }

  private start(): void {
    this.scheduled = undefined
    const waiters = this.next
    this.next = []
    this.lastStart = this.now()
    this.running = this.round(waiters).finally(() => {
      this.running = undefined
      if (this.next.length > 0) this.schedule()
    })
  }

  private async round(waiters: Waiter[]): Promise<void> {
    const started = this.now()
    const pending = [...this.participants].filter((p) => p.hasPending())
    const results = await Promise.allSettled(pending.map((p) => p.persist()))
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) {
      const err = toStorageError(failed.reason)
      const first = this.failure === undefined
      this.failure = err
      if (first) this.opts.onError?.(err)
      for (const w of waiters) w.reject(err)
      this.scheduleRetry()
      return
    }
    this.failure = undefined
    this.opts.onRound?.({ ms: this.now() - started, participants: pending.length, waiters: waiters.length })
    for (const w of waiters) w.resolve()
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.commit().catch(() => undefined)
    }, this.opts.retryMs ?? 1000)
    this.retryTimer.unref()
  }

  /** Runs `job` between rounds: no participant is written while it runs (checkpoint, backup). */
  async exclusive<T>(job: () => Promise<T>): Promise<T> {
    for (;;) {
      if (this.running) {
        await this.running
        continue
      }
      if (this.scheduled) {
        this.scheduled()
        this.scheduled = undefined
      }
      break
    }
    let release: () => void = () => {}
    this.running = new Promise<void>((resolve) => {
      release = resolve
    })
    try {
      return await job()
    } finally {
      this.running = undefined
      release()
      if (this.next.length > 0) this.schedule()
    }
  }

  /** Commits what is queued and stops; later commits are refused. */
  async close(): Promise<void> {
    if (this.closed) return
    let lastError: unknown
    if ([...this.participants].some((p) => p.hasPending()))
      await this.commit().catch((err) => (lastError = err))
    while (this.running) await this.running
    this.closed = true
    clearTimeout(this.retryTimer)
    this.scheduled?.()
    this.scheduled = undefined
    if (lastError) throw lastError
  }
}
