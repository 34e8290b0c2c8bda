/** Device models for the correlation workers. */
import type { Advisory } from '../lib/hub-modules.ts'

/**
 * Device models taken from the CSAF advisories themselves (vendor, product, and a firmware version at the
 * edge of the advisory's range, so devices really are affected), one per image.
 */
export function modelsFrom(advisories: Iterable<Advisory>, count: number): [string, string, string][] {
  const out: [string, string, string][] = []
  const seen = new Set<string>()
  for (const a of advisories) {
    for (const p of a.products) {
      const m = /^(<=?)\s*[vV]?(\d+(?:\.\d+)+)$/.exec(p.versionRaw.trim())
      const key = `${p.vendor}|${p.product}`
      if (!m?.[2] || !p.vendor || seen.has(key)) continue
      seen.add(key)
      out.push([p.vendor, p.product, m[1] === '<=' ? m[2] : '0.1'])
      if (out.length >= count) return out
    }
  }
  return out
}
