/**
 * JSON for signed payloads: strict UTF-8, and no duplicate object keys. `JSON.parse` keeps the last
 * of two equal keys while other parsers keep the first, so a payload with duplicates could mean one
 * thing to the vendor's tooling and another to the hub — refused instead of guessed.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true })

export type StrictJsonResult = { ok: true; value: unknown } | { ok: false; message: string }

/** The first duplicated key as a JSON pointer, or undefined. `text` must already be valid JSON. */
function firstDuplicateKey(text: string): string | undefined {
  interface Frame {
    keys: Set<string> | undefined
    path: string
    index: number
  }
  const stack: Frame[] = []
  let pendingKey: string | undefined
  let i = 0
  while (i < text.length) {
    const ch = text[i]
    if (ch === '"') {
      let j = i + 1
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      const top = stack[stack.length - 1]
      let k = j + 1
      while (k < text.length && /\s/.test(text[k] as string)) k++
      if (top?.keys !== undefined && text[k] === ':') {
        const key = String(JSON.parse(text.slice(i, j + 1)))
        if (top.keys.has(key)) return `${top.path}/${key}`
        top.keys.add(key)
        pendingKey = key
      }
      i = j + 1
      continue
    }
    if (ch === '{' || ch === '[') {
      const top = stack[stack.length - 1]
      const seg = top === undefined ? '' : top.keys !== undefined ? `/${pendingKey ?? ''}` : `/${top.index}`
      stack.push({ keys: ch === '{' ? new Set() : undefined, path: `${top?.path ?? ''}${seg}`, index: 0 })
    } else if (ch === '}' || ch === ']') {
      stack.pop()
    } else if (ch === ',') {
      const top = stack[stack.length - 1]
      if (top !== undefined) top.index++
    }
    i++
  }
  return undefined
}

export function parseStrictJson(bytes: Uint8Array): StrictJsonResult {
  let text: string
  let value: unknown
  try {
    text = utf8.decode(bytes)
    value = JSON.parse(text)
  } catch (err) {
    return { ok: false, message: `not valid UTF-8 JSON: ${(err as Error).message}` }
  }
  const duplicate = firstDuplicateKey(text)
  if (duplicate !== undefined) return { ok: false, message: `duplicate key ${duplicate}` }
  return { ok: true, value }
}
