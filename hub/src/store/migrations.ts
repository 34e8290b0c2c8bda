/**
 * Store schema versions. Each migration turns the raw records of version N-1 into version N; they run
 * once at open, in order, and the migrated files are written back on the next flush.
 */
export const SCHEMA_VERSION = 1

export interface RawCollections {
  users: Record<string, unknown>[]
  sessions: Record<string, unknown>[]
  tokens: Record<string, unknown>[]
  devices: Record<string, unknown>[]
}

/** `MIGRATIONS[n]` migrates from version n to n+1. */
export const MIGRATIONS: Record<number, (data: RawCollections) => void> = {
  // Version 0 is an empty data directory: nothing to change.
  0: () => {},
}

export class StoreVersionError extends Error {
  readonly code = 'VIGIL_STORE_VERSION'
}

export function migrate(data: RawCollections, from: number, to = SCHEMA_VERSION): number {
  if (from > to) {
    throw new StoreVersionError(
      `the data directory has store schema version ${from}, newer than this hub (${to}); upgrade the hub`,
    )
  }
  let version = from
  while (version < to) {
    const step = MIGRATIONS[version]
    if (!step) throw new StoreVersionError(`no migration from store schema version ${version}`)
    step(data)
    version++
  }
  return version
}
