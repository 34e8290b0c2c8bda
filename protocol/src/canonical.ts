/**
 * Canonical JSON (sorted object keys, no whitespace) so that the same content always hashes the same,
 * on every agent and in the hub. Pure: runs in Node and in the browser.
 *
 * Built in one pass into one string (the hub hashes every inventory it receives: ~800 packages of six
 * keys each): the sorted key list of each distinct key order and the JSON of each key are remembered
 * (a bounded cache), instead of an array, a sort and a join per object.
 */

const CACHE_MAX = 1024
/** Object.keys order (joined with NUL) → those keys sorted. */
const sortedKeys = new Map<string, string[]>()
/** key → JSON.stringify(key). */
const keyJson = new Map<string, string>()

function sorted(keys: string[]): string[] {
  if (keys.length < 2) return keys
  const id = keys.join('\0')
  let s = sortedKeys.get(id)
  if (!s) {
    if (sortedKeys.size >= CACHE_MAX) sortedKeys.clear()
    s = [...keys].sort()
    sortedKeys.set(id, s)
  }
  return s
}

function quoted(key: string): string {
  let q = keyJson.get(key)
  if (q === undefined) {
    if (keyJson.size >= CACHE_MAX) keyJson.clear()
    q = JSON.stringify(key)
    keyJson.set(key, q)
  }
  return q
}

function primitive(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number')
  return JSON.stringify(value) ?? 'null'
}

/** What JSON.stringify escapes in a string (quote, backslash, controls, lone surrogates; any surrogate here). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

function write(value: unknown): string {
  if (typeof value === 'string') return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`
  if (value === null || typeof value !== 'object') return primitive(value)
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      // a hole stays empty (as Array.prototype.map and join leave it); undefined is null
      if (i in value) out += write(value[i] ?? null)
    }
    return `${out}]`
  }
  const record = value as Record<string, unknown>
  let out = '{'
  let first = true
  for (const k of sorted(Object.keys(record))) {
    const v = record[k]
    if (v === undefined) continue
    out += first ? quoted(k) : `,${quoted(k)}`
    out += ':'
    out += write(v)
    first = false
  }
  return `${out}}`
}

export function canonicalJson(value: unknown): string {
  return write(value)
}
