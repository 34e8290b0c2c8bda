/**
 * Governance data (real data, counted by the maturity report) and the KPI history:
 *   <dataDir>/posture/groups.json      named device groups and their owners
 *   <dataDir>/posture/training.json    security-training log per user (course, date, expiry)
 *   <dataDir>/posture/kpi-history.jsonl  one fleet-KPI snapshot per day (append-only)
 */
import { randomUUID } from 'node:crypto'
import type { DeviceGroupInput, FleetKpis, TrainingInput } from '@vigil/protocol'
import type { AppendLog, Collection, Store } from '../../store/types.js'

export interface GroupRecord extends DeviceGroupInput {
  id: string
  createdAt: string
  createdBy: string
}

export interface TrainingRecord extends TrainingInput {
  id: string
  recordedBy: string
  recordedAt: string
}

export type KpiSnapshot = FleetKpis & { date: string }

export class GovernanceDb {
  #lastSnapshot: string | undefined

  private constructor(
    private readonly store: Store,
    readonly groups: Collection<GroupRecord>,
    readonly training: Collection<TrainingRecord>,
    readonly kpiHistory: AppendLog<KpiSnapshot>,
  ) {}

  static async open(store: Store): Promise<GovernanceDb> {
    const db = new GovernanceDb(
      store,
      await store.collection<GroupRecord>('posture/groups'),
      await store.collection<TrainingRecord>('posture/training'),
      await store.log<KpiSnapshot>('posture/kpi-history'),
    )
    db.#lastSnapshot = (await db.kpiHistory.read({ limit: 1 }))[0]?.date
    return db
  }

  addGroup(input: DeviceGroupInput, by: string, now: Date): GroupRecord {
    const g: GroupRecord = { ...input, id: randomUUID(), createdAt: now.toISOString(), createdBy: by }
    this.groups.put(g)
    return g
  }

  addTraining(input: TrainingInput, by: string, now: Date): TrainingRecord {
    const t: TrainingRecord = { ...input, id: randomUUID(), recordedBy: by, recordedAt: now.toISOString() }
    this.training.put(t)
    return t
  }

  /** Appends today's snapshot unless one was taken today; answers whether it did. */
  snapshot(kpis: FleetKpis): boolean {
    const date = kpis.ts.slice(0, 10)
    if (this.#lastSnapshot === date) return false
    this.#lastSnapshot = date
    this.kpiHistory.append({ ...kpis, date })
    return true
  }

  /** Settles once every change so far is durable. */
  flush(): Promise<void> {
    return this.store.commit()
  }

  async close(): Promise<void> {
    await this.flush()
  }
}
