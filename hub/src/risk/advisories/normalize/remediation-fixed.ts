/**
 * The fixed version from remediation prose, only when unambiguous: a `vendor_fix`/`mitigation` remediation that says
 * "update/upgrade … (to) version X or later/higher/newer", whose products all belong to one product
 * name, and no other such remediation for the same product naming a different version.
 */
import type { ProductAffect } from '../types.js'

export interface RawRemediation {
  category: string
  details: string
  product_ids?: string[]
}

const FIXED_PROSE =
  /\b(?:update|upgrade)\b[^.;:]{0,80}?\bversion\s+v?([0-9][0-9A-Za-z.\-_]*[0-9A-Za-z])\s*(?:,\s*)?or\s+(?:later|newer|higher|above|greater)\b/gi

/** product id → fixed version, for the ids where the prose is unambiguous. */
export function fixedFromRemediations(
  remediations: RawRemediation[],
  byId: Map<string, ProductAffect>,
): Map<string, string> {
  const found = new Map<string, Set<string>>()
  for (const r of remediations) {
    // CISA files "update to Version X or later" under `mitigation` as often as under `vendor_fix`.
    if (r.category !== 'vendor_fix' && r.category !== 'mitigation') continue
    const versions = new Set([...r.details.matchAll(FIXED_PROSE)].map((m) => m[1] ?? ''))
    versions.delete('')
    if (versions.size === 0) continue
    const ids = r.product_ids ?? []
    const keys = new Set(ids.map((id) => byId.get(id)?.productKey ?? `?${id}`))
    // One sentence covering several different products cannot say which version fixes which.
    const usable = versions.size === 1 && keys.size === 1
    for (const id of ids) {
      const set = found.get(id) ?? new Set<string>()
      if (usable) for (const v of versions) set.add(v)
      else set.add('\u0000ambiguous')
      found.set(id, set)
    }
  }
  const out = new Map<string, string>()
  for (const [id, set] of found) {
    const only = set.size === 1 ? [...set][0] : undefined
    if (only !== undefined && only !== '\u0000ambiguous') out.set(id, only)
  }
  return out
}
