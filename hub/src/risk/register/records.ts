/**
 * What the risk register persists — only decisions, first-seen times and history; the findings
 * themselves are derived from inventories × advisories on every start.
 *
 *   <dataDir>/register/findings/<shard>.json   FindingRecord (state, owner, decision, firstSeen…)
 *   <dataDir>/register/settings.json           SLA policy and other register settings
 *   <dataDir>/register/history.jsonl           every transition (append-only) but the first
 *
 * A finding's first history entry, `found` (none → open, by the system), is not stored: its record says
 * when (`firstSeen`), and `foundEntry` shows it. A new advisory creates thousands of findings at once,
 * and most findings never have another entry: storing it wrote a second line per finding, half of the
 * history's growth, a PostgreSQL row each (issue 17). Histories written before hold it (read as it is).
 */
import { hash } from 'node:crypto'
import type { FindingHistoryEntry, FindingState, FindingView, SlaPolicy } from '@vigil/protocol'
import type { Expected } from '../../store/conditional.js'
import type { AppendLog, Collection, Store } from '../../store/types.js'
import type { Finding } from '../advisories/index.js'

export const REGISTER_SCHEMA = 1

/** A finding's stable id: device, advisory, CVE and component name (not the version: upgrades resolve it). */
export function findingId(deviceId: string, f: Pick<Finding, 'advisory' | 'cve' | 'component'>): string {
  return hash('sha256', `${deviceId}\0${f.advisory}\0${f.cve ?? ''}\0${f.component.name}`, 'hex').slice(0, 32)
}

export interface FindingRecord {
  id: string
  deviceId: string
  advisory: string
  cve: string | null
  /** Component name (the finding's identity does not include the version: upgrades resolve it). */
  component: string
  firstSeen: string
  state: FindingState
  owner: string | null
  decision: FindingView['decision']
  resolvedAt: string | null
  /** Which one-off notifications were sent (webhooks), so a restart does not repeat them. */
  notified?: { overdue?: string; expiring?: string }
}

/** The `found` entry of a finding's history (not stored: see above). */
export function foundEntry(r: FindingRecord): FindingHistoryEntry {
  return { findingId: r.id, ts: r.firstSeen, actor: 'system', from: null, to: 'open', why: 'found' }
}

export interface SettingsRecord {
  id: 'settings'
  sla: SlaPolicy
}

export class RegisterDb {
  private constructor(
    private readonly store: Store,
    readonly records: Collection<FindingRecord>,
    readonly settings: Collection<SettingsRecord>,
    readonly history: AppendLog<FindingHistoryEntry>,
  ) {}

  static async open(store: Store): Promise<RegisterDb> {
    const opts = { schemaVersion: REGISTER_SCHEMA }
    return new RegisterDb(
      store,
      await store.collection<FindingRecord>('register/findings', { ...opts, shards: 16 }),
      await store.collection<SettingsRecord>('register/settings', opts),
      await store.log<FindingHistoryEntry>('register/history'),
    )
  }

  /** Runs `job` (synchronous) so that its writes are recovered after a crash all together or not at all. */
  atomic<T>(job: () => T): T {
    return this.store.atomic(job)
  }

  /**
   * Runs `job` only if the findings are at the versions given (`Store.writeIf`: else
   * VersionConflictError, nothing changed); its changes are one transaction, durable once resolved.
   */
  writeIf<R>(expected: Expected[], job: () => R): Promise<R> {
    return this.store.writeIf(this.records as Collection<{ id: string }>, expected, job)
  }

  /** Settles once every change so far is durable (answer the caller after this). */
  flush(): Promise<void> {
    return this.store.commit()
  }

  async close(): Promise<void> {
    await this.flush()
  }
}
