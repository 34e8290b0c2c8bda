/**
 * Storage errors with stable codes. Anything the file system throws is normalised here, once, so an
 * HTTP route can answer 507 "storage full" and a metric can count it.
 */
import { isDiskFull } from './fsx.js'

export type StorageErrorCode =
  | 'STORAGE_FULL'
  | 'STORAGE_FAILED'
  | 'STORAGE_CLOSED'
  | 'STORE_CORRUPT'
  | 'STORE_LOCKED'
  | 'UNSERIALIZABLE'

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'StorageError'
  }
}

export function toStorageError(err: unknown): StorageError {
  if (err instanceof StorageError) return err
  if (isDiskFull(err)) return new StorageError('STORAGE_FULL', 'storage full', { cause: err })
  const e = err as NodeJS.ErrnoException
  return new StorageError(
    'STORAGE_FAILED',
    `storage failed: ${e?.code ?? ''} ${e?.message ?? String(err)}`.trim(),
    {
      cause: err,
    },
  )
}

/** A file of the data directory is unreadable, truncated or missing: named, never skipped. */
export class StoreCorruptError extends StorageError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super('STORE_CORRUPT', `${file}: ${problem}`)
    this.name = 'StoreCorruptError'
  }
}
