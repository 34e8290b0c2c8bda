/**
 * The fleet hardening baseline: the one in force and the history of every published version (newest
 * first), one record of the store's `baselines/state` collection.
 */
import type { BaselineHistoryEntry, BaselineState, HardeningBaseline } from '@vigil/protocol'
import type { Collection, Store } from '../store/types.js'

interface BaselineRecord extends BaselineState {
  id: 'state'
}

export class BaselineDb {
  private constructor(
    private readonly store: Store,
    private readonly records: Collection<BaselineRecord>,
  ) {}

  static async open(store: Store): Promise<BaselineDb> {
    return new BaselineDb(store, await store.collection<BaselineRecord>('baselines/state'))
  }

  state(): BaselineState {
    const r = this.records.get('state')
    return { current: r?.current ?? null, history: r?.history ?? [] }
  }

  current(): HardeningBaseline | null {
    return this.state().current
  }

  /** Publishes a baseline; resolves once it is durable. */
  async publish(baseline: HardeningBaseline, by: string, now: Date): Promise<BaselineHistoryEntry> {
    const entry: BaselineHistoryEntry = {
      id: baseline.id,
      version: baseline.version,
      name: baseline.name,
      checks: baseline.checks.length,
      publishedAt: now.toISOString(),
      publishedBy: by,
    }
    const history = [entry, ...this.state().history].slice(0, 200)
    this.records.put({ id: 'state', current: baseline, history })
    await this.store.commit()
    return entry
  }
}
