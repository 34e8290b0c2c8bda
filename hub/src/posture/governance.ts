/**
 * Governance data (real data, counted by the maturity report) and the KPI history:
 *   <dataDir>/posture/groups.json      named device groups and their owners
 *   <dataDir>/posture/training.json    security-training log per user (course, date, expiry)
 *   <dataDir>/posture/kpi-history.jsonl  one fleet-KPI snapshot per day (append-only)
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { DeviceGroupInput, FleetKpis, TrainingInput } from '@vigil/protocol'
import { JsonlLog } from '../store/append-log.js'
import { ShardedCollection } from '../store/collection.js'

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
  readonly groups: ShardedCollection<GroupRecord>
  readonly training: ShardedCollection<TrainingRecord>
  readonly kpiHistory: JsonlLog<KpiSnapshot>
  #lastSnapshot: string | undefined

  constructor(dataDir: string, onError: (err: unknown) => void) {
    const dir = join(dataDir, 'posture')
    this.groups = new ShardedCollection<GroupRecord>(dir, 'groups', 1, 1)
    this.training = new ShardedCollection<TrainingRecord>(dir, 'training', 1, 1)
    this.kpiHistory = new JsonlLog<KpiSnapshot>(join(dir, 'kpi-history.jsonl'), onError)
  }

  async load(): Promise<void> {
    await this.groups.load()
    await this.training.load()
    this.#lastSnapshot = (await this.kpiHistory.read({ limit: 1 }))[0]?.date
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

  async flush(): Promise<void> {
    if (this.groups.isDirty) await this.groups.flush()
    if (this.training.isDirty) await this.training.flush()
  }

  async close(): Promise<void> {
    await this.flush()
    await this.kpiHistory.settle()
  }
}
