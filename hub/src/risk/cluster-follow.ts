/**
 * Correlation on several hubs sharing one database (issue 13 point 5: work done once, same truth).
 *
 * - Every hub's engine follows every device's inventory and identity and every advisory, whichever hub
 *   stored them (the store's change feed, `Store.watch`): any hub shows the same findings with their
 *   derived content (component version, fixed version, severity).
 * - Only the hub holding the `correlation` job (`jobs.ts`) writes what correlation finds — finding
 *   records, their history, webhook deliveries and feed items — for every cause: a new or revised
 *   advisory (feed sync, upload, `vigil-hub import`, on any hub), a device's new inventory or identity
 *   (stored by any hub), new KEV/EPSS tables, vendor aliases. The other hubs' registers list those
 *   records as the change feed brings them. One writer: a finding is never created twice at once.
 * - Takeover: the hub that takes the job first reads every change committed so far (so what the old
 *   holder wrote is in memory), then reconciles every device. Reconciling is idempotent (a finding
 *   with a record is not new again), so what the old holder wrote is not written twice and what it
 *   did not get to is written now.
 *
 * The embedded engine (one hub) holds every job: it writes as it always did.
 */

import type { Jobs } from '../jobs/jobs.js'
import type { DeviceRecord, RemoteChange, Store } from '../store/types.js'
import { AdvisoryDb } from './correlation/advisory-db.js'
import type { CorrelationEngine } from './correlation/engine.js'
import type { FindingRecord } from './register/records.js'
import type { RiskRegister } from './register/register.js'

export const CORRELATION_JOB = 'correlation'

export interface ClusterFollowOptions {
  store: Store
  jobs: Jobs
  engine: CorrelationEngine
  advisories: AdvisoryDb
  register: RiskRegister
  onError(err: unknown): void
  /** After a takeover's full reconcile (tests, logs): how many devices were reconciled. */
  onTakeover?(devices: number): void
  /** A finding record another hub stored is now in this hub's register (the live stream tells it). */
  onFollowed?(findingId: string): void
}

export interface ClusterFollow {
  /** The engine was given this device's inventory here (at start, or this hub ingested it). */
  inventory(deviceId: string, hash: string | undefined, firmware: string | undefined): void
  /** Whether this hub writes correlation's results now. */
  writes(): boolean
  /** Settles once the changes told so far are in the engine (tests). */
  idle(): Promise<void>
  close(): void
}

/** What the engine was given for a device: its inventory hash and the firmware that inventory reported. */
interface Held {
  hash: string | undefined
  firmware: string | undefined
}

export function followCluster(o: ClusterFollowOptions): ClusterFollow {
  const { store, engine, register } = o
  const writes = () => o.jobs.holds(CORRELATION_JOB)
  const held = new Map<string, Held>()
  /** Remote changes are applied one after the other, in the order they were told. */
  let chain: Promise<unknown> = Promise.resolve()
  const then = (job: () => Promise<void> | void) => {
    chain = chain.then(job).catch(o.onError)
  }

  const device = (d: DeviceRecord) => {
    const before = held.get(d.id)
    if (before !== undefined && before.hash === d.inventoryHash) {
      // Same inventory: only the identity (vendor, model, firmware) may have changed.
      if (engine.setIdentity(d.id, d.identity, before.firmware) && writes()) register.reconcile(d.id)
      return
    }
    held.set(d.id, { hash: d.inventoryHash, firmware: before?.firmware })
    const hash = d.inventoryHash
    then(async () => {
      const inventory = hash !== undefined ? await store.inventories.get(hash) : undefined
      const now = store.devices.get(d.id)
      // A newer record (another inventory) is applied by its own job; a deleted device is left out.
      if (now === undefined || now.inventoryHash !== hash) return
      held.set(d.id, { hash, firmware: inventory?.firmwareVersion })
      const changed = inventory !== undefined && engine.setInventory(d.id, inventory)
      const identityChanged = engine.setIdentity(d.id, now.identity, inventory?.firmwareVersion)
      if ((changed || identityChanged) && writes()) register.reconcile(d.id)
    })
  }

  const document = (key: string) => {
    then(async () => {
      if (AdvisoryDb.isEnrichment(key)) {
        engine.setEnrichment(await o.advisories.readEnrichment())
        return
      }
      // Each advisory is upserted alone: a revision older than the one held is stale and changes
      // nothing; the engine reports the devices of a new one (the register writes them on the holder).
      for (const a of await o.advisories.readRemote(key))
        if (engine.upsertAdvisory(a) !== 'stale') o.advisories.adopt(a, key)
    })
  }

  const off = store.watch?.((c: RemoteChange) => {
    if (c.collection === 'devices') {
      if (c.record) device(c.record as DeviceRecord)
      else held.delete(c.id)
    } else if (c.collection === 'register/findings') {
      if (c.record) {
        register.followRecord(c.record as FindingRecord)
        o.onFollowed?.(c.id)
      }
    } else if (c.collection === 'doc:advisory-db' && c.record) document(c.id)
  })

  const offJobs = o.jobs.onChange((name, nowHeld) => {
    if (name !== CORRELATION_JOB || !nowHeld) return
    // What the previous holder committed is read first (told, and queued behind what is queued now):
    // it is then not new here. The reconcile runs after it is applied.
    const caughtUp = store.cluster?.catchUp?.() ?? Promise.resolve()
    caughtUp.then(
      () =>
        then(() => {
          if (!writes()) return
          const devices = engine.deviceIds()
          register.reconcileMany(devices)
          o.onTakeover?.(devices.length)
        }),
      o.onError,
    )
  })

  return {
    inventory: (deviceId, hash, firmware) => {
      held.set(deviceId, { hash, firmware })
    },
    writes,
    idle: async () => {
      let seen: Promise<unknown> | undefined
      while (seen !== chain) {
        seen = chain
        await chain.catch(() => undefined)
      }
    },
    close: () => {
      off?.()
      offJobs()
    },
  }
}
