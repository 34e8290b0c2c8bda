/**
 * The correlation index: package and product keys → advisories. Adding an advisory replaces an older
 * revision of the same id; `keysOf` tells which keys an advisory touches, so the hub can re-correlate
 * only the inventories holding those keys (issue 5 point 4). Pure and in memory.
 */
import { foldForPurlType, matchName } from './ecosystems.js'
import {
  cpeKey,
  type Identification,
  identify,
  modelTokens,
  namesOf,
  purlKey,
  withoutVendor,
} from './identify.js'
import { StringPool } from './intern.js'
import { PackageSlots } from './package-slots.js'
import type { MatchDevice, MatchPackage } from './target.js'
import type { Advisory, PackageAffect, ProductAffect } from './types.js'
import { productKey, type VendorMatcher } from './vendor.js'
import { tryCompare } from './versions.js'

export const packageKey = (purlType: string, release: string | null, name: string): string =>
  `pkg|${purlType}|${release ?? '*'}|${name}`
export const productIndexKey = (vendorKey: string, product: string): string => `dev|${vendorKey}|${product}`

const tokenKey = (vendorKey: string, token: string): string => `tok|${vendorKey}|${token}`

/** Keys of one name: `dev|` for the whole name (with and without the vendor), `tok|` per model code. */
function nameKeys(key: string, vks: string[], out: Set<string>): void {
  for (const vk of vks) {
    for (const form of withoutVendor(key, vks)) out.add(productIndexKey(vk, form))
    for (const t of modelTokens(key)) out.add(tokenKey(vk, t))
  }
}

export interface PackageCandidate {
  advisory: Advisory
  affect: PackageAffect
}
export interface ProductCandidate {
  advisory: Advisory
  product: ProductAffect
  identified: Identification
}

/** Keys an installed package is looked up under (source and binary names, with and without release). */
export function keysForPackage(p: MatchPackage): string[] {
  const fold = foldForPurlType(p.purlType)
  // Distro advisories name source packages: when the source is known, only it is looked up.
  const bySource = p.source?.name && (p.purlType === 'deb' || p.purlType === 'apk')
  const names = new Set([matchName(bySource && p.source ? p.source.name : p.name, fold)])
  if (p.source?.name && !bySource) names.add(matchName(p.source.name, fold))
  const out: string[] = []
  for (const n of names) {
    out.push(packageKey(p.purlType, null, n))
    if (p.release !== null) out.push(packageKey(p.purlType, p.release, n))
  }
  return out
}

export function keysForDevice(d: MatchDevice, vendors: VendorMatcher): string[] {
  const out = new Set<string>()
  if (d.model !== '') nameKeys(productKey(d.model), vendors.keys(d.vendor), out)
  const c = d.cpe ? cpeKey(d.cpe) : null
  if (c) out.add(`cpe|${c.key}`)
  const p = d.purl ? purlKey(d.purl) : null
  if (p) out.add(`purl|${p.key}`)
  return [...out]
}

export class AdvisoryIndex {
  readonly #byId = new Map<string, Advisory>()
  /** Product keys → advisory ids (package keys are held by `#packages`). */
  readonly #byKey = new Map<string, Set<string>>()
  /** Package keys → affects, with the upper ends that let a query pass over closed ranges. */
  readonly #packages = new PackageSlots()
  /** One copy of each repeated short string of the advisories held (`intern.ts`). */
  readonly #strings = new StringPool()
  #seq = 0

  constructor(readonly vendors: VendorMatcher) {}

  get size(): number {
    return this.#byId.size
  }

  get(id: string): Advisory | undefined {
    return this.#byId.get(id)
  }

  all(): IterableIterator<Advisory> {
    return this.#byId.values()
  }

  /** Every key the advisory is indexed under. */
  keysOf(a: Advisory): string[] {
    const keys = new Set<string>()
    for (const p of a.packages) keys.add(packageKey(p.purlType, p.release, p.name))
    for (const p of a.products) {
      const vks = this.vendors.keys(p.vendor)
      for (const n of namesOf(p)) nameKeys(n.key, vks, keys)
      const c = p.ids?.cpe ? cpeKey(p.ids.cpe) : null
      if (c) keys.add(`cpe|${c.key}`)
      const u = p.ids?.purl ? purlKey(p.ids.purl) : null
      if (u) keys.add(`purl|${u.key}`)
    }
    return [...keys]
  }

  #productKeysOf(a: Advisory): string[] {
    return a.products.length === 0 ? [] : this.keysOf(a).filter((k) => !k.startsWith('pkg|'))
  }

  /**
   * Adds or replaces. An older revision than the one held is refused: answers 'added', 'updated' or
   * 'stale'. OSV revisions are timestamps; CSAF tracking versions compare as `generic` versions.
   */
  upsert(a: Advisory): 'added' | 'updated' | 'stale' {
    const held = this.#byId.get(a.id)
    if (held !== undefined) {
      const newer =
        a.source === 'osv'
          ? a.revision > held.revision
          : (tryCompare('generic', a.revision, held.revision) ?? 0) > 0
      if (!newer) return 'stale'
      this.remove(a.id)
    }
    this.#strings.compactAdvisory(a)
    this.#byId.set(a.id, a)
    const seq = this.#seq++
    for (const [index, affect] of a.packages.entries())
      this.#packages.add(packageKey(affect.purlType, affect.release, affect.name), {
        advisory: a,
        affect,
        seq,
        index,
      })
    for (const k of this.#productKeysOf(a)) {
      const set = this.#byKey.get(k) ?? new Set<string>()
      set.add(a.id)
      this.#byKey.set(k, set)
    }
    return held === undefined ? 'added' : 'updated'
  }

  remove(id: string): boolean {
    const a = this.#byId.get(id)
    if (a === undefined) return false
    for (const p of a.packages) this.#packages.removeAdvisory(packageKey(p.purlType, p.release, p.name), id)
    for (const k of this.#productKeysOf(a)) {
      const set = this.#byKey.get(k)
      set?.delete(id)
      if (set?.size === 0) this.#byKey.delete(k)
    }
    this.#byId.delete(id)
    return true
  }

  #lookup(keys: string[]): Advisory[] {
    const ids = new Set<string>()
    for (const k of keys) for (const id of this.#byKey.get(k) ?? []) ids.add(id)
    return [...ids].map((id) => this.#byId.get(id)).filter((a): a is Advisory => a !== undefined)
  }

  /** Every affect indexed under the package's keys, whatever its version. */
  packageCandidates(p: MatchPackage): PackageCandidate[] {
    return this.#packages.all(keysForPackage(p)).map(({ advisory, affect }) => ({ advisory, affect }))
  }

  /**
   * The affects under the package's keys that may hold its installed version: those whose every
   * range closed at or below it are passed over (`package-slots.ts`; exact, `matchPackage` would
   * answer null for each). Withdrawn advisories are left out.
   */
  packageMatchCandidates(
    p: MatchPackage,
    keys: readonly string[] = keysForPackage(p),
  ): readonly PackageCandidate[] {
    return this.#packages.candidates(keys, p)
  }

  productCandidates(d: MatchDevice): ProductCandidate[] {
    const out: ProductCandidate[] = []
    for (const advisory of this.#lookup(keysForDevice(d, this.vendors))) {
      for (const product of advisory.products) {
        const identified = identify(product, d, this.vendors)
        if (identified !== null) out.push({ advisory, product, identified })
      }
    }
    return out
  }
}
