/**
 * Is this device the product a CSAF entry names? (issue 17 point 4). Answers how it was identified:
 *   exact    the device's CPE or purl is the entry's, or its model is the product name as written, a
 *            model number or SKU of `product_identification_helper`;
 *   alias    its model is a derived name (`product-names.ts`) or the name with/without the vendor prefix;
 *   partial  its model and the product name share a run of words holding a model code ("NextSeq 1000"
 *            in "NextSeq 1000/2000 Control Software"): a person decides (`review`).
 * Serial numbers narrow an entry: a device whose serial is not listed is not that entry.
 */
import { productNames } from './product-names.js'
import { parsePurl } from './purl.js'
import type { MatchDevice } from './target.js'
import type { ProductAffect } from './types.js'
import { productKey, type VendorMatcher } from './vendor.js'

export interface Identification {
  tier: 'exact' | 'alias' | 'partial'
  via: string
}

/** `part:vendor:product` of a CPE 2.2 URI or 2.3 formatted string, and its version (null for any). */
export function cpeKey(cpe: string): { key: string; version: string | null } | null {
  const t = cpe.trim().toLowerCase()
  const parts = t.startsWith('cpe:2.3:')
    ? t.slice(8).split(/(?<!\\):/)
    : t.startsWith('cpe:/')
      ? t.slice(5).split(':')
      : null
  if (parts === null) return null
  const [part, vendor, product, version] = parts
  if (!part || !vendor || !product) return null
  const v = version === undefined || version === '' || version === '*' || version === '-' ? null : version
  return { key: `${part.replace(/^\//, '')}:${vendor}:${product}`, version: v }
}

/** `type/namespace/name` of a purl (lower-case type), and its version. */
export function purlKey(purl: string): { key: string; version: string | null } | null {
  const p = parsePurl(purl.trim())
  if (p === null) return null
  return { key: `${p.type}/${p.namespace ?? ''}/${p.name}`, version: p.version }
}

/** Product keys of a name: itself, and without a leading vendor word ("BD Alaris…" → "alaris…"). */
export function withoutVendor(key: string, vendorKeys: string[]): string[] {
  const out = new Set([key])
  for (const v of vendorKeys) if (key.startsWith(`${v} `)) out.add(key.slice(v.length + 1))
  return [...out]
}

/** Words of a key that hold a digit and at least two characters: the model codes a lookup uses. */
export const modelTokens = (key: string): string[] =>
  key.split(' ').filter((w) => w.length >= 2 && /\d/.test(w))

export const namesOf = (p: ProductAffect) => p.names ?? productNames(p.product)

/** Whether `inner`'s words appear, in order and together, in `outer`'s. */
function containsRun(outer: string[], inner: string[]): boolean {
  if (inner.length === 0 || inner.length > outer.length) return false
  for (let i = 0; i + inner.length <= outer.length; i++)
    if (inner.every((w, j) => outer[i + j] === w)) return true
  return false
}

const RANK = { exact: 3, alias: 2, partial: 1 } as const

export function identify(p: ProductAffect, d: MatchDevice, vendors: VendorMatcher): Identification | null {
  const pc = p.ids?.cpe ? cpeKey(p.ids.cpe) : null
  const dc = d.cpe ? cpeKey(d.cpe) : null
  if (pc && dc && pc.key === dc.key) return { tier: 'exact', via: `CPE ${p.ids?.cpe}` }
  const pp = p.ids?.purl ? purlKey(p.ids.purl) : null
  const dp = d.purl ? purlKey(d.purl) : null
  if (pp && dp && pp.key === dp.key) return { tier: 'exact', via: `purl ${p.ids?.purl}` }
  if (d.model === '' || !vendors.same(p.vendor, d.vendor)) return null
  const vks = [...vendors.keys(p.vendor), ...vendors.keys(d.vendor)]
  const dk = productKey(d.model)
  const deviceForms = withoutVendor(dk, vks)
  let best: Identification | null = null
  const offer = (c: Identification) => {
    if (best === null || RANK[c.tier] > RANK[best.tier]) best = c
  }
  for (const n of namesOf(p)) {
    if (n.key === dk) {
      offer({ tier: n.tier, via: `${n.via} "${n.key}"` })
      continue
    }
    const forms = withoutVendor(n.key, vks)
    if (forms.some((f) => deviceForms.includes(f))) {
      offer({ tier: 'alias', via: `${n.via} "${n.key}" with/without the vendor prefix` })
      continue
    }
    for (const f of forms) {
      const fw = f.split(' ')
      for (const g of deviceForms) {
        const gw = g.split(' ')
        const [short, long] = gw.length <= fw.length ? [gw, fw] : [fw, gw]
        if (modelTokens(short.join(' ')).length > 0 && containsRun(long, short))
          offer({ tier: 'partial', via: `model "${d.model}" and "${n.key}" share "${short.join(' ')}" only` })
      }
    }
  }
  return best
}
