/**
 * Opens the store the configuration asks for: PostgreSQL when `databaseUrl` (VIGIL_DATABASE_URL) is
 * set, else the embedded engine in `dataDir`. Every place that opens a store (the hub, the offline
 * commands) goes through here. The PostgreSQL engine (and `pg`, which loads Node's fetch stack) is
 * imported only when it is configured: an embedded hub never loads it (issue 19, idle memory).
 */
import { LowdbStore, type LowdbStoreOptions } from './lowdb-store.js'
import type { Store } from './types.js'

export type StoreHooks = Pick<LowdbStoreOptions, 'onFlush' | 'onCommit' | 'onError'>

/** The part of the hub's configuration (`config.ts`) that chooses and tunes the engine. */
export interface StoreConfig {
  dataDir: string
  flushIntervalMs?: number
  auditSegmentBytes?: number
  databaseUrl?: string
  databasePoolSize?: number
  databaseSslCa?: string
  databaseSslRejectUnauthorized?: boolean
  auditRetentionSegments?: number
  commitWindowMs?: number
  unsafeNoFsync?: boolean
}

/** Which engine the configuration selects, for messages. */
export function storeLocation(config: StoreConfig): string {
  if (config.databaseUrl) {
    const u = new URL(config.databaseUrl)
    return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`
  }
  return config.dataDir
}

export async function openStore(config: StoreConfig, hooks: StoreHooks = {}): Promise<Store> {
  if (config.databaseUrl) {
    const { PgStore } = await import('./postgres/pg-store.js')
    return PgStore.open({
      url: config.databaseUrl,
      ...(config.databasePoolSize !== undefined ? { poolSize: config.databasePoolSize } : {}),
      ...(config.databaseSslCa !== undefined ? { sslCaFile: config.databaseSslCa } : {}),
      ...(config.databaseSslRejectUnauthorized !== undefined
        ? { sslRejectUnauthorized: config.databaseSslRejectUnauthorized }
        : {}),
      ...(config.commitWindowMs !== undefined ? { commitWindowMs: config.commitWindowMs } : {}),
      ...(config.auditRetentionSegments !== undefined
        ? { auditMaxSegments: config.auditRetentionSegments }
        : {}),
      ...(config.auditSegmentBytes !== undefined ? { auditSegmentBytes: config.auditSegmentBytes } : {}),
      ...(hooks.onCommit ? { onCommit: hooks.onCommit } : {}),
      ...(hooks.onError ? { onError: hooks.onError } : {}),
    })
  }
  return LowdbStore.open({
    dataDir: config.dataDir,
    // Offline commands (no flushIntervalMs given) checkpoint at close.
    flushIntervalMs: config.flushIntervalMs ?? 60_000,
    ...(config.auditRetentionSegments !== undefined
      ? { auditMaxSegments: config.auditRetentionSegments }
      : {}),
    ...(config.auditSegmentBytes !== undefined ? { auditSegmentBytes: config.auditSegmentBytes } : {}),
    ...(config.commitWindowMs !== undefined ? { commitWindowMs: config.commitWindowMs } : {}),
    ...(config.unsafeNoFsync === true ? { unsafeNoFsync: true } : {}),
    ...hooks,
  })
}
