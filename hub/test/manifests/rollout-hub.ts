/**
 * One hub's part of a rollout for the tests of rollouts across hubs on one real PostgreSQL database:
 * its store, manifest db and rollout engine (no device is online), its audit as `action detail` lines,
 * and — with `leases` — its job leases, the engine auto-advancing only while it holds `rollouts.advance`.
 * Closed when the test ends.
 */
import { EventEmitter } from 'node:events'
import { onTestFinished } from 'vitest'
import { PgJobLeases } from '../../src/jobs/pg-leases.ts'
import { ManifestDb, type ManifestRecord } from '../../src/manifests/db.ts'
import { RolloutEngine, type Staged } from '../../src/manifests/rollout.ts'
import { PgStore } from '../../src/store/postgres/pg-store.ts'
import type { Collection } from '../../src/store/types.ts'

export async function rolloutHubOn<L extends boolean = false>(url: string, opts: { leases?: L } = {}) {
  const store = await PgStore.open({ url, commitWindowMs: 2, changePollMs: 200 })
  const leases = opts.leases
    ? await PgJobLeases.start({ connection: { connectionString: url }, intervalMs: 100 })
    : undefined
  onTestFinished(async () => {
    await leases?.close()
    await store.close().catch(() => undefined)
  })
  const db = await ManifestDb.open(store)
  const audit: string[] = []
  const context = {
    registry: { get: () => undefined },
    events: new EventEmitter(),
    audit: (e: { action: string; detail?: string }) => audit.push(`${e.action} ${e.detail ?? ''}`.trim()),
    commands: { send: async () => undefined },
    log: { warn: () => undefined },
  } as unknown as ConstructorParameters<typeof RolloutEngine>[0]
  const engine = new RolloutEngine(
    context,
    db,
    undefined,
    leases ? () => leases.holds('rollouts.advance') : undefined,
  )
  /** What a route does with If-Match: the action inside `writeIf` on manifest `id`, then its deliveries. */
  const act = async (id: string, version: number, stage: (m: ManifestRecord) => Staged) =>
    engine.finish(
      await store.writeIf(db.manifests as Collection<{ id: string }>, [{ id, version }], () =>
        stage(db.manifests.get(id) as ManifestRecord),
      ),
    )
  return { store, db, engine, audit, act, leases: leases as L extends true ? PgJobLeases : undefined }
}
