/**
 * The other half of incremental correlation (issue 5 point 4): keys → the targets (inventories) that
 * hold them. Targets are stored by inventory hash, so identical gateway images share one entry and
 * are correlated once; a new or revised advisory re-correlates only `targetsFor(index.keysOf(a))`.
 */
import { keysForDevice, keysForPackage } from './advisory-index.js'
import type { MatchTarget } from './target.js'
import type { VendorMatcher } from './vendor.js'

export class TargetIndex {
  /** `keys` is null until the target is indexed (see `#pending`). */
  readonly #targets = new Map<string, { target: MatchTarget; keys: string[] | null }>()
  readonly #byKey = new Map<string, Set<string>>()
  /**
   * Targets added but not yet under `#byKey`, in the order they came. Their keys are worked out on the
   * next `targetsFor` (a new advisory), not on `add`: a device's new image is correlated at once and
   * its ~1,600 package keys are indexed only when an advisory first needs them.
   */
  readonly #pending = new Set<string>()

  constructor(readonly vendors: VendorMatcher) {}

  get size(): number {
    return this.#targets.size
  }

  has(hash: string): boolean {
    return this.#targets.has(hash)
  }

  get(hash: string): MatchTarget | undefined {
    return this.#targets.get(hash)?.target
  }

  /** Every key a target is looked up under. */
  keysOf(target: MatchTarget): string[] {
    const keys = new Set<string>()
    for (const p of target.packages) for (const k of keysForPackage(p)) keys.add(k)
    for (const d of target.devices) for (const k of keysForDevice(d, this.vendors)) keys.add(k)
    return [...keys]
  }

  /** Adds a target under its hash; false when that hash is already held (nothing to correlate). */
  add(hash: string, target: MatchTarget): boolean {
    if (this.#targets.has(hash)) return false
    this.#targets.set(hash, { target, keys: null })
    this.#pending.add(hash)
    return true
  }

  remove(hash: string): boolean {
    const held = this.#targets.get(hash)
    if (held === undefined) return false
    this.#pending.delete(hash)
    for (const k of held.keys ?? []) {
      const set = this.#byKey.get(k)
      set?.delete(hash)
      if (set?.size === 0) this.#byKey.delete(k)
    }
    this.#targets.delete(hash)
    return true
  }

  /** Indexes the targets added since the last lookup. */
  #index(): void {
    for (const hash of this.#pending) {
      const held = this.#targets.get(hash)
      if (held === undefined) continue
      held.keys = this.keysOf(held.target)
      for (const k of held.keys) {
        const set = this.#byKey.get(k) ?? new Set<string>()
        set.add(hash)
        this.#byKey.set(k, set)
      }
    }
    this.#pending.clear()
  }

  /** Hashes of the targets holding any of `keys` (e.g. `advisoryIndex.keysOf(advisory)`). */
  targetsFor(keys: Iterable<string>): string[] {
    if (this.#pending.size > 0) this.#index()
    const out = new Set<string>()
    for (const k of keys) for (const h of this.#byKey.get(k) ?? []) out.add(h)
    return [...out]
  }
}
