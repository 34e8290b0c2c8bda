/** Limits checked on raw text before `JSON.parse`, so absurd input is refused cheaply and safely. */

/** Deepest array/object nesting of a JSON text (strings skipped); stops counting past `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92)
        i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
      continue
    }
    if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      depth++
      if (depth > max) {
        max = depth
        if (max > limit) return max
      }
    } else if (c === 125 || c === 93) depth--
  }
  return max
}

export type JsonRead = { ok: true; value: unknown } | { ok: false; reason: string }

export function parseGuardedJson(text: string, maxDepth: number): JsonRead {
  const depth = jsonDepth(text, maxDepth)
  if (depth > maxDepth) return { ok: false, reason: `nesting deeper than ${maxDepth} levels` }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (e) {
    return { ok: false, reason: `not valid JSON: ${(e as Error).message}` }
  }
}

/** A JSON Schema document (its `$schema` names a json-schema.org draft) is not an advisory. */
export function isJsonSchema(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false
  const schema = (doc as { $schema?: unknown }).$schema
  return typeof schema === 'string' && /^https?:\/\/json-schema\.org\//.test(schema)
}
