/**
 * One copy of each repeated string of the advisories an index holds (issue 15: a 100,000-record first
 * sync). Advisories arrive from the parse worker (structured clone) or from JSON, so every record
 * brings its own copy of `osv`, `ECOSYSTEM`, `pypi`, its package name, `0` and each version of its
 * ranges: a heap snapshot after 20,000 OSV records held 1.87 million strings (93 per advisory, 56 of
 * 106 MB), 97 % of them copies of another. Every one of them is marked by each major GC.
 *
 * `compactAdvisory` replaces, in place, the short strings matching reads (ecosystems, package names,
 * schemes, range types, event versions, listed versions, CVE ids and aliases, CSAF vendor and version
 * fields) by the pool's copy: the values are equal, so nothing that reads them can tell. Long texts
 * (titles, origins) are left as they are: they are rarely shared.
 */
import type { Advisory, OsvEvents, PackageAffect, ProductAffect } from './types.js'

/** Longer strings are not pooled (a version or name is far shorter; prose is rarely shared). */
const MAX_LENGTH = 128

export class StringPool {
  readonly #pool = new Map<string, string>()

  get size(): number {
    return this.#pool.size
  }

  /** The pool's copy of `s` (`s` itself the first time). */
  intern<T extends string | null>(s: T): T {
    if (typeof s !== 'string' || s.length > MAX_LENGTH) return s
    const held = this.#pool.get(s)
    if (held !== undefined) return held as T
    this.#pool.set(s, s)
    return s
  }

  #all(list: string[] | undefined): void {
    if (!Array.isArray(list)) return
    for (let i = 0; i < list.length; i++) list[i] = this.intern(list[i] as string)
  }

  #events(range: OsvEvents): void {
    range.type = this.intern(range.type)
    for (const e of range.events ?? []) {
      const rec = e as Record<string, string>
      for (const k in rec) rec[k] = this.intern(rec[k] as string)
    }
  }

  #package(p: PackageAffect): void {
    p.ecosystem = this.intern(p.ecosystem)
    p.purlType = this.intern(p.purlType)
    p.release = this.intern(p.release)
    p.name = this.intern(p.name)
    p.scheme = this.intern(p.scheme)
    for (const r of p.ranges ?? []) this.#events(r)
    this.#all(p.versions)
    p.affected = this.intern(p.affected)
    p.fixed = this.intern(p.fixed)
  }

  #product(p: ProductAffect): void {
    p.vendor = this.intern(p.vendor)
    p.vendorKey = this.intern(p.vendorKey)
    p.product = this.intern(p.product)
    p.productKey = this.intern(p.productKey)
    p.versionRaw = this.intern(p.versionRaw)
    p.versionKind = this.intern(p.versionKind)
  }

  /** `a` with its repeated strings replaced by the pool's copies (in place; answers `a`). */
  compactAdvisory(a: Advisory): Advisory {
    a.source = this.intern(a.source)
    a.severity = this.intern(a.severity)
    this.#all(a.aliases)
    this.#all(a.cves)
    this.#all(a.vectors)
    for (const p of a.packages ?? []) this.#package(p)
    for (const p of a.products ?? []) this.#product(p)
    for (const v of a.vulnerabilities ?? []) {
      v.cve = this.intern(v.cve)
      v.severity = this.intern(v.severity)
      this.#all(v.ids)
    }
    return a
  }
}
