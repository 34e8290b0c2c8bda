/**
 * Vendor name normalisation: CISA writes "Becton, Dickinson and Company (BD)", a device says "BD";
 * an advisory misspells "Phillips". A vendor reduces to a set of keys; two names match when their
 * key sets intersect.
 */

/** Legal-form suffixes removed from the end of a name (already lower-cased, punctuation stripped). */
const LEGAL_SUFFIXES = [
  'incorporated',
  'inc',
  'ltd',
  'limited',
  'gmbh',
  'ag',
  'corp',
  'corporation',
  'co',
  'company',
  'llc',
  'sa',
  'sas',
  'srl',
  'spa',
  'bv',
  'nv',
  'oy',
  'ab',
  'as',
  'plc',
  'kg',
  'se',
  'pty',
  'kk',
  'and',
  '&',
]

/**
 * Seed alias table: normalised key → canonical key. Seeded with names seen in the CISA ICS advisories
 * (as in `testdata/csaf-cisa`). Operators extend it (`createVendorMatcher(extra)`).
 */
export const DEFAULT_VENDOR_ALIASES: Readonly<Record<string, string>> = {
  phillips: 'philips',
  'philips healthcare': 'philips',
  'becton dickinson': 'bd',
  'general electric': 'ge',
  'ge healthcare': 'ge healthcare',
  'b braun medical': 'b braun',
  'b braun melsungen': 'b braun',
  'st jude medical': 'abbott',
  'abbott laboratories': 'abbott',
  'natus medical': 'natus',
  draeger: 'drager',
  'sooil developments': 'sooil',
}

/** Lower-case, strip diacritics and punctuation, collapse spaces. */
export function basicKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[.,'"`´’]/g, '')
    .replace(/[^a-z0-9&]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ')
}

function stripLegal(key: string): string {
  const words = key.split(' ')
  while (words.length > 1) {
    const last = words[words.length - 1]
    if (last === undefined || !LEGAL_SUFFIXES.includes(last)) break
    words.pop()
  }
  return words.join(' ')
}

export interface VendorMatcher {
  /** Every key a vendor name is known by (main name, acronym in parentheses, aliases). */
  keys(name: string): string[]
  /** The canonical key (first of `keys`). */
  canonical(name: string): string
  same(a: string, b: string): boolean
}

export function createVendorMatcher(extraAliases: Record<string, string> = {}): VendorMatcher {
  const aliases: Record<string, string> = { ...DEFAULT_VENDOR_ALIASES }
  for (const [k, v] of Object.entries(extraAliases))
    aliases[stripLegal(basicKey(k))] = stripLegal(basicKey(v))
  const resolve = (key: string): string => aliases[key] ?? key
  const keys = (name: string): string[] => {
    const out = new Set<string>()
    const paren = /\(([^)]+)\)\s*$/.exec(name)
    const main = paren ? name.slice(0, paren.index) : name
    const mainKey = stripLegal(basicKey(main))
    if (mainKey !== '') out.add(resolve(mainKey))
    if (paren?.[1] !== undefined) {
      const acronym = stripLegal(basicKey(paren[1]))
      if (acronym !== '') out.add(resolve(acronym))
    }
    // "ENEA, Green Hills Software, ITRON, IP Infusion, and Wind River", "Silex Technology and GE
    // Healthcare": an advisory naming several vendors is about each of them (products still must match).
    const parts = main.split(/,\s*(?:and\s+)?|\s+and\s+/i).map((p) => stripLegal(basicKey(p)))
    if (parts.filter((p) => p.length > 1).length > 1) {
      for (const p of parts) if (p.length > 1 && !LEGAL_SUFFIXES.includes(p)) out.add(resolve(p))
    }
    // Aliases may map the acronym and the full name to different keys; map them into one group.
    for (const k of [...out]) out.add(resolve(k))
    return [...out]
  }
  return {
    keys,
    canonical: (name) => keys(name)[0] ?? '',
    same(a, b) {
      const ka = keys(a)
      return keys(b).some((k) => ka.includes(k))
    },
  }
}

/** Product/model key: case, punctuation and spacing insensitive. */
export function productKey(name: string): string {
  return basicKey(name)
}
