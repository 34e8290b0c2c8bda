/**
 * Job leases on PostgreSQL (`jobs.ts`): one session-level advisory lock per job, taken with
 * `pg_try_advisory_lock(<vigil>, <job>)` on a connection of their own (not the pool's: a pooled
 * connection is shared and recycled, and its locks would go with it unnoticed).
 *
 * Every `intervalMs` the hub tries the jobs it does not hold; the query is also the heartbeat of the
 * connection. When it fails or the connection ends, the hub stops believing it holds anything at once
 * (PostgreSQL has released the locks, or will when it notices the connection gone) and reconnects on
 * the next try. When the holder dies (`kill -9`), its connection closes, PostgreSQL releases its locks,
 * and another hub takes them at its next try: takeover within about one interval. A holder cut off
 * from the database without dying stops at the first failed heartbeat; the server frees its locks when
 * TCP keepalive notices the lost peer.
 */
import pg from 'pg'
import { JOBS, type JobName, type Jobs } from './jobs.js'

/** The first key of every Vigil job lock ('VGJB'): the second is the job's index in JOBS. */
const LOCK_CLASS = 0x56474a42 | 0

export interface PgLeaseOptions {
  /** Connection settings of the store (url, TLS). */
  connection: pg.ClientConfig
  /** How often free jobs are tried and the connection checked (default 2 s). */
  intervalMs?: number
  /** A job taken or lost (also for those taken at start). */
  onChange?: (name: JobName, held: boolean) => void
  onError?: (err: unknown) => void
}

export class PgJobLeases implements Jobs {
  readonly #held = new Set<JobName>()
  readonly #listeners = new Set<(name: JobName, held: boolean) => void>()
  #client: pg.Client | undefined
  #timer: NodeJS.Timeout | undefined
  #closed = false
  #trying: Promise<void> | undefined

  private constructor(private readonly o: PgLeaseOptions) {
    if (o.onChange) this.#listeners.add(o.onChange)
  }

  /** Connects and takes what is free before answering (a lone hub holds its jobs once started). */
  static async start(o: PgLeaseOptions): Promise<PgJobLeases> {
    const leases = new PgJobLeases(o)
    await leases.tryNow()
    leases.#timer = setInterval(() => {
      leases.tryNow().catch(() => undefined)
    }, o.intervalMs ?? 2000)
    leases.#timer.unref()
    return leases
  }

  holds(name: JobName): boolean {
    return this.#held.has(name)
  }

  async runExclusive<R>(name: JobName, fn: () => R | Promise<R>): Promise<R | undefined> {
    return this.#held.has(name) ? fn() : undefined
  }

  held(): JobName[] {
    return JOBS.filter((j) => this.#held.has(j))
  }

  onChange(listener: (name: JobName, held: boolean) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** One try: free jobs are taken, and the connection is checked. */
  tryNow(): Promise<void> {
    this.#trying ??= this.#try().finally(() => {
      this.#trying = undefined
    })
    return this.#trying
  }

  async #try(): Promise<void> {
    if (this.#closed) return
    try {
      const client = await this.#connect()
      const free = JOBS.map((_, i) => i).filter((i) => !this.#held.has(JOBS[i] as JobName))
      // Locks already held are not asked again (session locks stack); an empty list is the heartbeat.
      const { rows } = await client.query<{ k: number; got: boolean }>(
        'SELECT k, pg_try_advisory_lock($1::int, k) AS got FROM unnest($2::int[]) AS k',
        [LOCK_CLASS, free],
      )
      for (const row of rows) {
        const name = JOBS[row.k]
        if (row.got && name !== undefined && !this.#closed) this.#set(name, true)
      }
    } catch (err) {
      this.o.onError?.(err)
      this.#drop()
    }
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client
    const client = new pg.Client({
      ...this.o.connection,
      application_name: 'vigil-hub-jobs',
      keepAlive: true,
      query_timeout: 10_000,
      connectionTimeoutMillis: 10_000,
    })
    client.on('error', (err) => {
      this.o.onError?.(err)
      if (this.#client === client) this.#drop()
    })
    client.on('end', () => {
      if (this.#client === client) this.#drop()
    })
    await client.connect()
    this.#client = client
    return client
  }

  /** The connection is gone or in doubt: nothing is held any more. */
  #drop(): void {
    const client = this.#client
    this.#client = undefined
    client?.end().catch(() => undefined)
    for (const name of [...this.#held]) this.#set(name, false)
  }

  #set(name: JobName, held: boolean): void {
    if (held) this.#held.add(name)
    else this.#held.delete(name)
    for (const l of this.#listeners) l(name, held)
  }

  close = async (): Promise<void> => {
    this.#closed = true
    clearInterval(this.#timer)
    await this.#trying?.catch(() => undefined)
    const client = this.#client
    this.#client = undefined
    for (const name of [...this.#held]) this.#set(name, false)
    // Ending the session releases every lock it held: another hub takes the jobs at its next try.
    await client?.end().catch(() => undefined)
  }
}
