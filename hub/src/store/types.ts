/**
 * Everything the hub persists, behind one `Store` interface, so that a shared database can replace the
 * embedded lowdb files later without touching the features. Reads are synchronous from memory; writes
 * mark the record dirty and are flushed on a timer (never per message) and on shutdown.
 */
import type {
  DeviceEvent,
  DeviceIdentity,
  DeviceState,
  HardeningReport,
  Inventory,
  Role,
} from '@vigil/protocol'

export interface UserRecord {
  id: string
  username: string
  role: Role
  passwordHash: string
  createdAt: string
  vendorId?: string
  /** Consecutive failed sign-ins and the lockout they caused. */
  failedLogins?: number
  lockedUntil?: string
}

export interface SessionRecord {
  /** SHA-256 of the bearer token: the token itself is never stored. */
  id: string
  userId: string
  createdAt: string
  expiresAt: string
}

export interface EnrollmentTokenRecord {
  id: string
  /** SHA-256 of the token. */
  tokenHash: string
  uses: number
  used: number
  createdAt: string
  expiresAt: string
  createdBy: string
  revoked: boolean
  note?: string
}

export interface DeviceRecord {
  id: string
  name: string
  /** SHA-256 of the device's 256-bit MQTT secret (a fast hash: thousands reconnect at once). */
  secretHash: string
  disabled: boolean
  enrolledAt: string
  lastSeen: string | null
  online: boolean
  agentVersion?: string
  identity?: DeviceIdentity
  lastState?: Pick<DeviceState, 'status' | 'ts' | 'reason'>
  inventoryHash?: string
  hardeningHash?: string
  baseline?: { id: string; version: number }
  packages?: number
  failingChecks?: number
  cpuPct?: number
  memUsedPct?: number
  telemetryAt?: string
  /** Set when the device was first seen through an external broker rather than enrolled here. */
  external?: boolean
}

export interface AuditEntry {
  ts: string
  actor: string
  action: string
  target?: string
  ok: boolean
  detail?: string
  ip?: string
}

export interface DeviceEventRecord {
  deviceId: string
  receivedAt: string
  event: DeviceEvent
}

export interface Collection<T extends { id: string }> {
  get(id: string): T | undefined
  values(): T[]
  /** Inserts or replaces, and marks the record's file dirty. */
  put(record: T): void
  /**
   * Replaces a known record in memory without scheduling a write: for derived, fast-changing fields
   * (latest telemetry figures, lastSeen) that are written along with the next real change.
   */
  putVolatile(record: T): void
  delete(id: string): boolean
  readonly size: number
}

/** An append-only log (JSON Lines): never rewritten. */
export interface AppendLog<T> {
  append(entry: T): void
  /** Newest first, after skipping `offset`, optionally filtered. */
  read(opts?: { limit?: number; offset?: number; filter?: (entry: T) => boolean }): Promise<T[]>
}

/** Content-addressed documents: identical gateway images share one stored inventory. */
export interface BlobStore<T> {
  has(hash: string): boolean
  get(hash: string): Promise<T | undefined>
  put(hash: string, value: T): Promise<void>
}

export interface StoreStats {
  lastFlushMs: number
  lastFlushBytes: number
  flushes: number
}

export interface Store {
  readonly users: Collection<UserRecord>
  readonly sessions: Collection<SessionRecord>
  readonly tokens: Collection<EnrollmentTokenRecord>
  readonly devices: Collection<DeviceRecord>
  readonly inventories: BlobStore<Inventory>
  readonly hardening: BlobStore<HardeningReport>
  readonly audit: AppendLog<AuditEntry>
  readonly events: AppendLog<DeviceEventRecord>
  /** Writes every dirty file now (atomically: temp file + rename). */
  flush(): Promise<void>
  /** Stops the timer, flushes, closes the logs. */
  close(): Promise<void>
  stats(): StoreStats
}
