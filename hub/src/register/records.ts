/**
 * What the risk register persists — only decisions, first-seen times and history; the findings
 * themselves are derived from inventories × advisories on every start.
 *
 *   <dataDir>/register/findings/<shard>.json   FindingRecord (state, owner, decision, firstSeen…)
 *   <dataDir>/register/settings.json           SLA policy and other register settings
 *   <dataDir>/register/history.jsonl           every transition (append-only)
 */
import { join } from 'node:path'
import type { FindingHistoryEntry, FindingState, FindingView, SlaPolicy } from '@vigil/protocol'
import { JsonlLog } from '../store/append-log.js'
import { ShardedCollection } from '../store/collection.js'

export const REGISTER_SCHEMA = 1

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

export interface SettingsRecord {
  id: 'settings'
  sla: SlaPolicy
}

export class RegisterDb {
  readonly records: ShardedCollection<FindingRecord>
  readonly settings: ShardedCollection<SettingsRecord>
  readonly history: JsonlLog<FindingHistoryEntry>

  constructor(dataDir: string, onError: (err: unknown) => void) {
    const dir = join(dataDir, 'register')
    this.records = new ShardedCollection<FindingRecord>(dir, 'findings', 16, REGISTER_SCHEMA)
    this.settings = new ShardedCollection<SettingsRecord>(dir, 'settings', 1, REGISTER_SCHEMA)
    this.history = new JsonlLog<FindingHistoryEntry>(join(dir, 'history.jsonl'), onError)
  }

  async load(): Promise<void> {
    await this.records.load()
    await this.settings.load()
  }

  #flushing: Promise<void> = Promise.resolve()

  /** Writes the dirty shards; flushes never overlap. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing
      .catch(() => {})
      .then(async () => {
        if (this.records.isDirty) await this.records.flush()
        if (this.settings.isDirty) await this.settings.flush()
      })
    return this.#flushing
  }

  async close(): Promise<void> {
    await this.flush()
    await this.history.settle()
  }
}
