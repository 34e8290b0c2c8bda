/**
 * Optimistic concurrency (issue 13 point 4): an operator's change is written only if the records it
 * changes are still at the version the operator saw; otherwise nothing changes and the caller answers
 * 409 with the current records. Every engine implements `Store.writeIf` with this contract:
 *
 * - embedded: the versions in memory are the truth (one hub), compared synchronously, the job run in
 *   `atomic`, then committed;
 * - PostgreSQL (`postgres/pg-conditional.ts`): the DATABASE's versions are compared under row locks in
 *   one short transaction of its own, so it is right even when this hub's memory is stale (another hub
 *   wrote meanwhile); the job's writes go in that transaction, all or nothing.
 */

/** The version a caller expects a record to be at. */
export interface Expected {
  id: string
  version: number
}

/** A record that was not at the expected version: its current state (`null` when it is gone). */
export interface Conflict<T = unknown> {
  id: string
  expected: number
  version: number | null
  record: T | null
}

export class VersionConflictError<T = unknown> extends Error {
  readonly code = 'VERSION_CONFLICT'
  constructor(readonly conflicts: Conflict<T>[]) {
    super(
      `changed by someone else: ${conflicts
        .map((c) => `${c.id} is at version ${c.version ?? 'none (deleted)'}, not ${c.expected}`)
        .join('; ')}`,
    )
    this.name = 'VersionConflictError'
  }
}

/** The conflicts among `expected`, judged by `current` (id → version, undefined when absent). */
export function conflictsOf<T>(
  expected: Expected[],
  current: (id: string) => { version: number; record: T } | undefined,
): Conflict<T>[] {
  const out: Conflict<T>[] = []
  for (const e of expected) {
    const now = current(e.id)
    if (now?.version === e.version) continue
    out.push({ id: e.id, expected: e.version, version: now?.version ?? null, record: now?.record ?? null })
  }
  return out
}
