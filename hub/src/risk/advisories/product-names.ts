/**
 * The names a CSAF product entry is known by (issue 17 point 4). CISA writes one `product_name` for
 * several models ("Airlink Router (MP70, RV50, RV50x, RV55, LX 40, LX60) running ALEOS software",
 * "Maximo II CRT-D and ICD", "Accent/Anthem"), abbreviations in parentheses ("Point-of-Care Unit
 * (PCU)"), and model numbers / SKUs in `product_identification_helper`. Each name carries its tier:
 *   exact  the product name as written, a listed model number or SKU;
 *   alias  a name derived from it: one model of a list, the name without its parenthesised remark, an
 *          abbreviation in place of the words it stands for.
 * A name the device only shares in part is decided at match time (`review`), never here.
 */
import { basicKey } from './vendor.js'

export type NameTier = 'exact' | 'alias'

export interface ProductName {
  /** `productKey` of the name. */
  key: string
  tier: NameTier
  /** How it was derived, for the finding's reason. */
  via: string
}

export interface IdentificationHelper {
  model_numbers?: string[]
  skus?: string[]
  cpe?: string
  purl?: string
  serial_numbers?: string[]
}

const PAREN = /\(([^()]*)\)/g
/** Upper bound on the names one product yields (slash lists multiply). */
const MAX_NAMES = 64

/** Items of a list written "a, b and c" / "a, b, c" / "a/b". */
function listItems(text: string): string[] {
  return text
    .split(/\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+/i)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** Whether `abbr`'s letters appear in order in `words`, the first one starting them ("DB" in "Database"). */
function spells(words: string[], abbr: string): boolean {
  const text = words.join(' ').toUpperCase()
  if (text[0] !== abbr[0]) return false
  let i = 0
  for (const ch of text) if (ch === abbr[i]) i++
  return i === abbr.length
}

/**
 * "Point-of-Care Unit (PCU)" → "PCU", "Database (DB) Manager" → "DB", "IP gateway (IPGW)" → "IPGW":
 * the shortest run of words before the parenthesis that the capitals spell, and what precedes it.
 */
function abbreviate(before: string, abbr: string): { head: string } | null {
  if (!/^[A-Z][A-Z0-9]{1,7}$/.test(abbr)) return null
  const words = before.trim().split(/\s+/)
  for (let n = 1; n <= Math.min(6, words.length); n++) {
    const tail = words.slice(words.length - n)
    if (spells(tail, abbr)) return { head: words.slice(0, words.length - n).join(' ') }
  }
  return null
}

/**
 * "PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs", "MRD-315 MRD-355 MRD-455": a run of model codes
 * sharing their letters (and hyphen).
 */
function spacedList(name: string): string[] {
  const words = name.split(/\s+/)
  const code = (w: string) => /^([A-Za-z]+-?)\d+$/.exec(w)?.[1]?.toLowerCase()
  for (let i = 0; i < words.length; i++) {
    const prefix = code(words[i] ?? '')
    if (prefix === undefined) continue
    let j = i
    while (j + 1 < words.length && code(words[j + 1] ?? '') === prefix) j++
    if (j - i + 1 >= 3) {
      const head = words.slice(0, i).join(' ')
      const tail = words.slice(j + 1).join(' ')
      return words.slice(i, j + 1).flatMap((m) => [`${head} ${m} ${tail}`.trim(), `${head} ${m}`.trim()])
    }
  }
  return []
}

/** "Maximo II CRT-D and ICD" → "Maximo II CRT-D", "Maximo II ICD" (a shorter right side shares the left's head). */
function andList(name: string): string[] {
  if (/[(),]/.test(name)) return []
  const parts = name.split(/\s+and\s+/i)
  if (parts.length !== 2) return []
  const [left, right] = parts.map((p) => p.trim().split(/\s+/)) as [string[], string[]]
  if (left.length === 0 || right.length === 0) return []
  if (right.length >= left.length) return [left.join(' '), right.join(' ')]
  const head = left.slice(0, left.length - right.length)
  return [left.join(' '), [...head, ...right].join(' ')]
}

/** A token "FM20/FM30/FM40" in place → one name per alternative (bounded). */
function slashList(name: string): string[] {
  const tokens = name.split(/\s+/)
  let names: string[][] = [[]]
  let split = false
  for (const t of tokens) {
    const alts = /^[^/]+(?:\/[^/]+)+$/.test(t) && !/^\d+\/\d+\/\d+$/.test(t) ? t.split('/') : [t]
    if (alts.length > 1) split = true
    names = names.flatMap((n) => alts.map((a) => [...n, a])).slice(0, MAX_NAMES)
  }
  return split ? names.map((n) => n.join(' ')) : []
}

/** Every name of one product entry, exact ones first, each key once (the strongest tier wins). */
export function productNames(product: string, helper?: IdentificationHelper): ProductName[] {
  const out = new Map<string, ProductName>()
  const add = (name: string, tier: NameTier, via: string) => {
    const key = basicKey(name)
    if (key === '' || out.has(key) || out.size >= MAX_NAMES) return
    out.set(key, { key, tier, via })
  }
  add(product, 'exact', 'product name')
  for (const m of helper?.model_numbers ?? []) add(m, 'exact', 'model number')
  for (const s of helper?.skus ?? []) add(s, 'exact', 'SKU')

  const bare = product.replace(PAREN, ' ').replace(/\s+/g, ' ').trim()
  if (bare !== product.trim()) add(bare, 'alias', 'name without its parenthesised remark')
  for (const m of product.matchAll(PAREN)) {
    const inner = (m[1] ?? '').trim()
    const before = product.slice(0, m.index)
    const abbr = abbreviate(before, inner)
    if (abbr !== null) {
      const after = product.slice((m.index ?? 0) + m[0].length).replace(PAREN, ' ')
      add(`${abbr.head} ${inner} ${after}`, 'alias', `abbreviation ${inner}`)
      add(`${abbr.head} ${inner}`, 'alias', `abbreviation ${inner}`)
      if (inner.length >= 3) add(`${inner} ${after}`, 'alias', `abbreviation ${inner}`)
      if (inner.length >= 3) add(inner, 'alias', `abbreviation ${inner}`)
      continue
    }
    const listed = inner.replace(/^including\s*/i, '')
    const items = /\//.test(listed) && !/[,\s]/.test(listed) ? listed.split('/') : listItems(listed)
    // "(MP70, RV50, …)": each listed model, alone and after the name's first word ("Airlink MP70").
    // A single parenthesised word with a digit ("(VLFT10GEN)", "(6GK5804-0AP00-2AA2)") is a model code.
    if (items.length > 1 || (items.length === 1 && /\d/.test(listed) && !/\s/.test(listed))) {
      const first = before.trim().split(/\s+/)[0] ?? ''
      for (const item of items) {
        add(item, 'alias', `model listed in "${product}"`)
        if (first !== '') add(`${first} ${item}`, 'alias', `model listed in "${product}"`)
      }
    }
  }
  // "Avalon Fetal/Maternal Monitors FM20/FM30/FM40/FM50": a slashed list of model codes, each alone too.
  const head = bare.split(/\s+/)[0] ?? ''
  for (const t of bare.split(/\s+/).filter((x) => x.includes('/'))) {
    const alts = t.split('/').filter((a) => a !== '')
    if (alts.length > 1 && alts.every((a) => /\d/.test(a) && /[A-Za-z]/.test(a)))
      for (const a of alts) {
        add(a, 'alias', `model listed in "${product}"`)
        add(`${head} ${a}`, 'alias', `model listed in "${product}"`)
      }
  }
  for (const n of spacedList(bare)) add(n, 'alias', `model listed in "${product}"`)
  for (const n of andList(bare)) add(n, 'alias', `one of the products in "${product}"`)
  for (const n of slashList(bare)) add(n, 'alias', `one of the alternatives in "${product}"`)
  for (const n of slashList(bare).flatMap(andList)) add(n, 'alias', `one of the products in "${product}"`)
  return [...out.values()]
}
