/**
 * The package half of the advisory index, held ready for queries (issue 15: correlation with 100,000
 * advisories). Per package key, the affects are grouped by (name, scheme); each affect gets a
 * **bound**: the version from which none of its ranges can hold an installed version any more (the
 * last event of each range in OSV order is a `fixed` or `last_affected`). A query with an installed
 * version passes over every affect whose ranges all closed at or below it, and `matchPackage`
 * evaluates only the rest — in a distro database most advisories of a package were fixed long ago.
 *
 * The skip is exact, never a heuristic: an affect is passed over only when the installed version is
 * valid in its scheme, is not among its listed `versions`, every event of every range is a valid
 * version (so `matchPackage` could not answer `review`), and the last event of every range closes at
 * or below it (so the OSV walk ends "not affected"). Anything else is evaluated as before. For schemes
 * whose order is a total preorder (`deb`, `apk`) the affects are sorted by bound and binary-searched;
 * for the others each affect's bounds are checked one by one.
 */
import type { VersionScheme } from '@vigil/protocol'
import { comparedVersion, sortedEvents } from './match-package.js'
import type { MatchPackage } from './target.js'
import type { Advisory, PackageAffect } from './types.js'
import { tryCompare } from './versions.js'

/** `value` closes the range: an installed version ≥ it (> it when `strict`) is not affected. */
interface Bound {
  value: string
  strict: boolean
}

/** null = can hold versions with no upper end (or an event is unreadable); [] = holds no range at all. */
type Bounds = Bound[] | null

export interface SlotEntry {
  advisory: Advisory
  affect: PackageAffect
  /** Order of the advisory in the index, then of the affect in it: candidates come out in this order. */
  seq: number
  index: number
}

interface Compiled extends SlotEntry {
  compiled: boolean
  /** Position in the sorted group. */
  at: number
  bounds: Bounds
  /** The highest bound (total schemes only), undefined when `bounds` is empty. */
  top: Bound | undefined
}

/** Versions whose query result a group keeps (see `Group.#memo`). */
const MEMO_LIMIT = 256

/** Schemes whose comparison is a total preorder: the affects of a group can be binary-searched. */
const TOTAL = new Set<VersionScheme>(['deb', 'apk'])

/**
 * Whether `v` is a valid version of the scheme: comparisons throw only on an invalid side, and `0`
 * is valid in every scheme (were it not, every affect would be evaluated: slower, never wrong).
 */
const valid = (scheme: VersionScheme, v: string): boolean => tryCompare(scheme, v, '0') !== undefined

/** The bounds of one affect (one per range that holds events), or null when it has no upper end. */
export function boundsOf(affect: PackageAffect): Bounds {
  const out: Bound[] = []
  for (const range of affect.ranges) {
    if (range.type === 'GIT') continue
    let sorted: ReturnType<typeof sortedEvents>
    try {
      sorted = sortedEvents(affect.scheme, range)
    } catch {
      return null
    }
    for (const e of sorted) {
      const v =
        'introduced' in e
          ? e.introduced
          : 'fixed' in e
            ? e.fixed
            : 'last_affected' in e
              ? e.last_affected
              : null
      if (v === null || ('introduced' in e && v === '0')) continue
      if (!valid(affect.scheme, v)) return null
    }
    const last = sorted[sorted.length - 1]
    if (last === undefined) continue
    if ('fixed' in last) out.push({ value: last.fixed, strict: false })
    else if ('last_affected' in last) out.push({ value: last.last_affected, strict: true })
    else return null
  }
  return out
}

/** Orders bounds: by value, then the non-strict one first (it is passed by fewer versions). */
function compareBounds(scheme: VersionScheme, a: Bound, b: Bound): number {
  const c = tryCompare(scheme, a.value, b.value) ?? 0
  return c !== 0 ? c : Number(a.strict) - Number(b.strict)
}

/** Whether version `v` (valid in the scheme) is past the bound: no range closed by it holds `v`. */
function past(scheme: VersionScheme, v: string, b: Bound): boolean {
  const c = tryCompare(scheme, v, b.value) ?? 0
  return c > 0 || (c === 0 && !b.strict)
}

class Group {
  #entries: Compiled[] = []
  #dirty = false
  /** Installed versions listed by an affect → the affects listing them. */
  #listed: Map<string, Compiled[]> | undefined
  /** Total schemes: where the entries with a highest bound begin. */
  #ranged = 0
  /**
   * Installed version → the entries a query with it returned, until the group changes. A fleet runs a
   * few images, so the same (package, version) is asked again with every new image that shares it.
   * Bounded: cleared when it holds `MEMO_LIMIT` versions. Created on the first query (most groups of a
   * large database are never queried: no Map is held for them).
   */
  #memo: Map<string, readonly Compiled[]> | undefined

  constructor(readonly scheme: VersionScheme) {}

  get size(): number {
    return this.#entries.length
  }

  add(e: SlotEntry): void {
    const { advisory, affect, seq, index } = e
    this.#entries.push({ advisory, affect, seq, index, compiled: false, at: 0, bounds: null, top: undefined })
    this.#dirty = true
    this.#memo = undefined
  }

  removeAdvisory(id: string): void {
    this.#entries = this.#entries.filter((e) => e.advisory.id !== id)
    this.#dirty = true
    this.#memo = undefined
  }

  all(): readonly SlotEntry[] {
    return this.#entries
  }

  /** Bounds are worked out when a group is first queried after a change, not at import. */
  #compile(): void {
    const total = TOTAL.has(this.scheme)
    this.#listed = undefined
    for (const e of this.#entries) {
      if (!e.advisory.withdrawn)
        for (const v of e.affect.versions) {
          if (this.#listed === undefined) this.#listed = new Map()
          const list = this.#listed.get(v) ?? []
          if (list[list.length - 1] !== e) list.push(e) // a version listed twice: the affect once
          this.#listed.set(v, list)
        }
      if (e.compiled) continue
      e.compiled = true
      e.bounds = boundsOf(e.affect)
      if (total && e.bounds !== null)
        for (const b of e.bounds)
          if (e.top === undefined || compareBounds(this.scheme, b, e.top) > 0) e.top = b
    }
    if (total) {
      // Unbounded first (always evaluated), then no range at all, then by the highest bound.
      const rank = (e: Compiled) => (e.bounds === null ? 0 : e.top === undefined ? 1 : 2)
      this.#entries.sort((a, b) => {
        const r = rank(a) - rank(b)
        if (r !== 0 || rank(a) !== 2) return r
        return compareBounds(this.scheme, a.top as Bound, b.top as Bound)
      })
    }
    this.#ranged = 0
    for (const [at, e] of this.#entries.entries()) {
      e.at = at
      if (e.bounds === null || (total && e.top === undefined)) this.#ranged = at + 1
    }
    this.#dirty = false
  }

  /** The affects that may hold installed version `v`, appended to `out` (withdrawn ones left out). */
  query(v: string, out: SlotEntry[]): void {
    if (this.#memo === undefined || this.#memo.size >= MEMO_LIMIT) this.#memo = new Map()
    let found = this.#memo.get(v)
    if (found === undefined) {
      const fresh: Compiled[] = []
      this.#evaluate(v, fresh)
      found = fresh
      this.#memo.set(v, found)
    }
    for (const e of found) out.push(e)
  }

  #evaluate(v: string, out: Compiled[]): void {
    if (this.#dirty) this.#compile()
    const entries = this.#entries
    const n = entries.length
    if (!valid(this.scheme, v)) {
      for (const e of entries) if (!e.advisory.withdrawn) out.push(e)
      return
    }
    if (!TOTAL.has(this.scheme)) {
      const listed = this.#listed?.get(v)
      for (const e of entries)
        if (
          !e.advisory.withdrawn &&
          (e.bounds === null || !e.bounds.every((b) => past(this.scheme, v, b)) || listed?.includes(e))
        )
          out.push(e)
      return
    }
    // Sorted: unbounded (always evaluated), then no range at all, then by the highest bound.
    let i = 0
    for (; i < n && (entries[i] as Compiled).bounds === null; i++) {
      const e = entries[i] as Compiled
      if (!e.advisory.withdrawn) out.push(e)
    }
    // First entry whose highest bound `v` has not passed: it and every later one are evaluated.
    let lo = this.#ranged
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (past(this.scheme, v, (entries[mid] as Compiled).top as Bound)) lo = mid + 1
      else hi = mid
    }
    // Passed over but listing `v` among its versions: evaluated too.
    for (const e of this.#listed?.get(v) ?? [])
      if (e.at >= i && e.at < lo && !e.advisory.withdrawn) out.push(e)
    for (let k = lo; k < n; k++) {
      const e = entries[k] as Compiled
      if (!e.advisory.withdrawn) out.push(e)
    }
  }
}

/** Package key → the affects indexed under it, grouped by (name, scheme). */
export class PackageSlots {
  readonly #slots = new Map<string, Map<string, Group>>()

  add(key: string, e: SlotEntry): void {
    const slot = this.#slots.get(key) ?? new Map<string, Group>()
    this.#slots.set(key, slot)
    const g = `${e.affect.name}\u0000${e.affect.scheme}`
    const group = slot.get(g) ?? new Group(e.affect.scheme)
    slot.set(g, group)
    group.add(e)
  }

  removeAdvisory(key: string, id: string): void {
    const slot = this.#slots.get(key)
    if (slot === undefined) return
    for (const [g, group] of slot) {
      group.removeAdvisory(id)
      if (group.size === 0) slot.delete(g)
    }
    if (slot.size === 0) this.#slots.delete(key)
  }

  /** Every affect under the keys (no version filter). */
  all(keys: Iterable<string>): SlotEntry[] {
    const out: SlotEntry[] = []
    for (const k of keys) for (const group of this.#slots.get(k)?.values() ?? []) out.push(...group.all())
    return out.sort(bySeq)
  }

  /** The affects under the keys that may hold the installed package `p`, in index order. */
  candidates(keys: Iterable<string>, p: MatchPackage): SlotEntry[] {
    const out: SlotEntry[] = []
    for (const k of keys) {
      const slot = this.#slots.get(k)
      if (slot === undefined) continue
      for (const group of slot.values()) {
        const first = group.all()[0]
        if (first !== undefined) group.query(comparedVersion(p, first.affect), out)
      }
    }
    return out.length > 1 ? out.sort(bySeq) : out
  }
}

const bySeq = (a: SlotEntry, b: SlotEntry): number => a.seq - b.seq || a.index - b.index
