/**
 * Where later features plug into ingest. Correlation (advisories) fills `onInventory`/`onDevice`; the
 * manifest feature `onRollout`. The pipeline awaits none of them for the device and never lets one throw
 * into the broker.
 */
import type { HardeningReport, Inventory, RolloutStatus } from '@vigil/protocol'
import type { DeviceRecord } from '../store/types.js'

export interface IngestHooks {
  onDevice?(device: DeviceRecord): void | Promise<void>
  onInventory?(deviceId: string, inventory: Inventory): void | Promise<void>
  onHardening?(deviceId: string, report: HardeningReport): void | Promise<void>
  onRollout?(deviceId: string, status: RolloutStatus): void | Promise<void>
}

/** A registry of hooks: features add theirs at startup. */
export class IngestHookSet {
  private readonly hooks: IngestHooks[] = []

  add(hooks: IngestHooks): () => void {
    this.hooks.push(hooks)
    return () => {
      const i = this.hooks.indexOf(hooks)
      if (i >= 0) this.hooks.splice(i, 1)
    }
  }

  async run<K extends keyof IngestHooks>(
    name: K,
    onError: (err: unknown) => void,
    ...args: Parameters<NonNullable<IngestHooks[K]>>
  ): Promise<void> {
    for (const h of this.hooks) {
      const fn = h[name] as ((...a: typeof args) => void | Promise<void>) | undefined
      if (!fn) continue
      try {
        await fn.apply(h, args)
      } catch (err) {
        onError(err)
      }
    }
  }
}
