/**
 * Hub slots: several hubs on one external broker share a fixed set of K persistent MQTT sessions, so
 * that what the broker queued for a hub that died is not stranded (docs/deploy.md, "Hub slots").
 *
 * - Slot k is one MQTT connection with the stable client id `<prefix>-slot-<k>`, clean start off, in the
 *   shared subscription group. The broker spreads device messages over the K sessions, connected or not.
 * - A hub holds slot k only while it holds the PostgreSQL session-level advisory lock (namespace, k+1)
 *   on its own dedicated connection: when the hub dies its connection ends and the lock with it.
 * - Every round (`intervalMs`) a hub counts the live hubs (each holds a shared advisory lock
 *   (namespace, 0)), and takes free slots up to its share, ceil(K / hubs). The broker hands the taker
 *   the session with what was queued or unacknowledged in it (same client id).
 * - A hub holding more than its share (a hub came back) releases one slot per round after a clean
 *   handover: it stops taking that slot's messages, waits until those being stored are acknowledged,
 *   disconnects, and only then unlocks.
 * - Losing the database connection loses every lock: all slots are dropped at once (no reconnection),
 *   so two hubs never hold one session; and so is a slot whose session another client took over.
 */
import pg from 'pg'
import type { HubSession } from './external.js'

export interface SlotKeeperOptions {
  /** Options of the dedicated database connection (the store pool's, application name changed). */
  db: pg.ClientConfig
  slots: number
  /** The advisory-lock namespace (first key), from the share group: one cluster per group. */
  namespace: number
  intervalMs: number
  /** Connects slot k's session (it must not reconnect on its own after a take-over by another client). */
  open(slot: number): Promise<HubSession>
  log?: {
    info(obj: object, msg: string): void
    warn(obj: object, msg: string): void
  }
}

/** A stable positive 31-bit advisory-lock namespace for a share group. */
export function slotNamespace(group: string): number {
  let h = 0x811c9dc5
  for (const c of `vigil-slots:${group}`) {
    h ^= c.charCodeAt(0)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h & 0x7fffffff || 1
}

export function slotClientId(prefix: string, slot: number): string {
  return `${prefix}-slot-${slot}`
}

/** The fair share of one hub: ceil(K / hubs). */
export function slotShare(slots: number, hubs: number): number {
  return Math.ceil(slots / Math.max(1, hubs))
}

export class SlotKeeper {
  private db: pg.Client | undefined
  private readonly held = new Map<number, HubSession>()
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = false
  private hubs = 1

  constructor(private readonly o: SlotKeeperOptions) {}

  /** Slots held now, ascending. */
  heldSlots(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b)
  }

  /** Live hubs counted in the last round. */
  liveHubs(): number {
    return this.hubs
  }

  /** Runs the first round (so a lone hub holds every slot when this resolves), then one per interval. */
  async start(): Promise<void> {
    await this.round()
    this.schedule()
  }

  private schedule() {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined
        this.schedule()
      })
    }, this.o.intervalMs)
    this.timer.unref?.()
  }

  /** One round: join, count hubs, take or release. Never throws. */
  async round(): Promise<void> {
    if (this.stopped) return
    try {
      const db = await this.connection()
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND objsubid = 2
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND classid = $1::bigint::oid AND objid = 0`,
        [this.o.namespace],
      )
      this.hubs = Math.max(1, rows[0]?.n ?? 1)
      const share = slotShare(this.o.slots, this.hubs)
      if (this.held.size < share) await this.take(db, share)
      else if (this.held.size > share) await this.release(Math.max(...this.held.keys()))
    } catch (err) {
      this.o.log?.warn({ err }, 'hub slots: a round failed')
      if (this.db) this.lost()
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.db) return this.db
    const db = new pg.Client({ ...this.o.db, keepAlive: true })
    db.on('error', () => this.lost(db))
    db.on('end', () => this.lost(db))
    await db.connect()
    // Membership: every live hub holds this shared lock as long as its connection lives.
    await db.query('SELECT pg_advisory_lock_shared($1::int, 0)', [this.o.namespace])
    this.db = db
    return db
  }

  private async take(db: pg.Client, share: number) {
    // Locks first (from a random place, so hubs starting together do not all try slot 0 first), then
    // the sessions in parallel: a taken session may bring a backlog that delays its connection.
    const start = Math.floor(Math.random() * this.o.slots)
    const locked: number[] = []
    for (let i = 0; i < this.o.slots && this.held.size + locked.length < share && !this.stopped; i++) {
      const k = (start + i) % this.o.slots
      if (this.held.has(k)) continue
      const { rows } = await db.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock($1::int, $2::int) AS ok',
        [this.o.namespace, k + 1],
      )
      if (rows[0]?.ok) locked.push(k)
    }
    await Promise.all(locked.map((k) => this.connectSlot(db, k)))
  }

  private async connectSlot(db: pg.Client, k: number) {
    let session: HubSession
    try {
      session = await this.o.open(k)
    } catch (err) {
      this.o.log?.warn({ err, slot: k }, 'hub slots: could not connect a slot; unlocked')
      if (this.db === db)
        await db.query('SELECT pg_advisory_unlock($1::int, $2::int)', [this.o.namespace, k + 1])
      return
    }
    if (this.db !== db || this.stopped) {
      // The lock went with the connection (or the hub is stopping) while the session connected.
      await session.close(true)
      if (this.db === db)
        await db.query('SELECT pg_advisory_unlock($1::int, $2::int)', [this.o.namespace, k + 1])
      return
    }
    this.held.set(k, session)
    // Another client with this slot's id took the session over: the lock is no longer ours to trust.
    session.client.on('disconnect', (packet) => {
      if (packet.reasonCode === 0x8e) void this.drop(k, session)
    })
    this.o.log?.info({ slot: k, hubs: this.hubs }, 'hub slots: took a slot')
  }

  /** Clean handover: drain, disconnect, then unlock. */
  private async release(k: number) {
    const session = this.held.get(k)
    const db = this.db
    if (!session || !db) return
    await session.drain()
    await session.close()
    this.held.delete(k)
    await db.query('SELECT pg_advisory_unlock($1::int, $2::int)', [this.o.namespace, k + 1])
    this.o.log?.info({ slot: k, hubs: this.hubs }, 'hub slots: released a slot')
  }

  private async drop(k: number, session: HubSession) {
    if (this.held.get(k) !== session) return
    this.held.delete(k)
    await session.close(true).catch(() => undefined)
    await this.db
      ?.query('SELECT pg_advisory_unlock($1::int, $2::int)', [this.o.namespace, k + 1])
      .catch(() => undefined)
    this.o.log?.warn({ slot: k }, 'hub slots: the session was taken over by another client; dropped')
  }

  /** The database connection (and every lock) is gone: drop every slot now. */
  private lost(db = this.db) {
    if (!db || db !== this.db) return
    this.db = undefined
    db.end().catch(() => undefined)
    const sessions = [...this.held.values()]
    this.held.clear()
    for (const s of sessions) void s.close(true).catch(() => undefined)
    if (sessions.length > 0 && !this.stopped)
      this.o.log?.warn(
        { slots: sessions.length },
        'hub slots: lost the database connection; dropped every slot',
      )
  }

  /** Hands every slot over cleanly and leaves the cluster. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
    for (const k of this.heldSlots()) await this.release(k).catch(() => undefined)
    const db = this.db
    this.db = undefined
    await db?.end().catch(() => undefined)
  }
}
