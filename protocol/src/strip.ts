/**
 * Removing what a schema does not declare. A device message may carry properties a newer agent adds
 * (forward compatibility, so they are not refused), but the hub must never store what it did not
 * validate: `compileStrip(schema)` builds, once per schema, a function that deletes, in place and
 * recursively, every object property the schema does not name. It reads the JSON Schema alone (no
 * TypeBox at run time), so precompiled validators get it too.
 *
 * Per object schema: declared `properties` stay (stripped by their own schema); keys matching
 * `patternProperties` (a `Type.Record`) stay; `additionalProperties` given as a schema keeps extras
 * (stripped by it) and `true` keeps them as they are; when it is absent every other key is removed
 * (`false` already refused them). Arrays strip each item by `items` (and `prefixItems`). A union
 * (`anyOf`/`oneOf`) strips by the first branch the value matches on type, required keys and `const`
 * properties (the discriminator, e.g. `status` of a command response). `allOf`, `$ref` and schemas
 * without structure are left alone. Run it only on a value the schema accepted.
 */

type Schema = Record<string, unknown>
/** Answers whether it removed anything (false: the value was left exactly as it was). */
export type Stripper = (value: unknown) => boolean

const isRecord = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v)

function typeMatches(schema: Schema, value: unknown): boolean {
  const t = schema.type
  if (typeof t !== 'string') return true
  switch (t) {
    case 'object':
      return isRecord(value)
    case 'array':
      return Array.isArray(value)
    case 'integer':
      return Number.isInteger(value)
    case 'null':
      return value === null
    default:
      return typeof value === t
  }
}

/** A cheap test of whether `value` belongs to this union branch (it passed the whole union already). */
function branchMatches(schema: Schema, value: unknown): boolean {
  if (!typeMatches(schema, value)) return false
  if (Object.hasOwn(schema, 'const') && schema.const !== value) return false
  if (!isRecord(value)) return true
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : []
  if (required.some((k) => !Object.hasOwn(value, k))) return false
  const props = isRecord(schema.properties) ? schema.properties : {}
  for (const [key, sub] of Object.entries(props)) {
    if (isRecord(sub) && Object.hasOwn(sub, 'const') && Object.hasOwn(value, key) && sub.const !== value[key])
      return false
  }
  return true
}

function objectStripper(schema: Schema): Stripper | undefined {
  const props = isRecord(schema.properties) ? schema.properties : {}
  // key → its stripper, or null when the declared value needs none (a null-prototype lookup table)
  const declared: Record<string, Stripper | null> = Object.create(null)
  let nested = false
  for (const [key, sub] of Object.entries(props)) {
    const s = compileStrip(sub) ?? null
    declared[key] = s
    if (s) nested = true
  }
  const patterns = isRecord(schema.patternProperties)
    ? Object.entries(schema.patternProperties).map(([p, sub]) => ({
        re: new RegExp(p, 'u'),
        strip: compileStrip(sub),
      }))
    : []
  const extra = schema.additionalProperties
  const extraStrip = isRecord(extra) ? compileStrip(extra) : undefined
  const keepExtra = extra === true || isRecord(extra)
  if (keepExtra && !extraStrip && !nested && patterns.every((p) => !p.strip)) return undefined
  const general: Stripper = (value) => {
    if (!isRecord(value)) return false
    let removed = false
    for (const key in value) {
      const own = declared[key]
      if (own !== undefined) {
        if (own?.(value[key])) removed = true
        continue
      }
      const pattern = patterns.find((p) => p.re.test(key))
      if (pattern) {
        if (pattern.strip?.(value[key])) removed = true
      } else if (keepExtra) {
        if (extraStrip?.(value[key])) removed = true
      } else {
        delete value[key]
        removed = true
      }
    }
    return removed
  }
  if (patterns.length > 0 || keepExtra) return general
  // Generated only for a schema in steady use (the hub's telemetry), not for every schema a process
  // loads: the agent validates a few messages an hour and keeps its memory for other things.
  let calls = 0
  let strip: Stripper = (value) => {
    if (++calls === GENERATE_AFTER) strip = declaredOnly(declared, general)
    return general(value)
  }
  return (value) => strip(value)
}

/** Calls of an object schema's stripper before its generated version replaces the general loop. */
const GENERATE_AFTER = 64

/**
 * The common object schema (declared properties only): a function generated for its property names
 * strips each declared value by its own stripper and counts the keys it found; when the object has no
 * other key (for-in counts them) nothing more is to be removed, else `general` removes the extras.
 * Constant property names make each access a named load, where the general loop's `value[key]`
 * over many shapes is a slow keyed lookup (the stripper of the telemetry sample: ~1 µs → ~0.3 µs).
 * A declared name that `Object.prototype` also has (`constructor`, `__proto__`, …) would be found on the
 * prototype: such schemas keep the general loop.
 */
function declaredOnly(declared: Record<string, Stripper | null>, general: Stripper): Stripper {
  const keys = Object.keys(declared)
  if (keys.some((k) => k in Object.prototype)) return general
  const strippers = keys.map((k) => declared[k] ?? null)
  const lines = keys.map((k, i) => {
    const at = `v[${JSON.stringify(k)}]`
    return strippers[i]
      ? `if (${at} !== undefined) { n++; if (s[${i}](${at})) removed = true }`
      : `if (${at} !== undefined) n++`
  })
  const body = [
    'return function stripDeclared(v) {',
    "if (typeof v !== 'object' || v === null || Array.isArray(v)) return false",
    'let n = 0',
    'let removed = false',
    ...lines,
    'let total = 0',
    'for (const k in v) total++',
    'return total === n ? removed : general(v) || removed',
    '}',
  ].join('\n')
  return new Function('s', 'general', body)(strippers, general) as Stripper
}

function arrayStripper(schema: Schema): Stripper | undefined {
  const items = isRecord(schema.items) ? compileStrip(schema.items) : undefined
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems.map((s) => compileStrip(s)) : []
  if (!items && prefix.every((p) => !p)) return undefined
  return (value) => {
    if (!Array.isArray(value)) return false
    let removed = false
    for (let i = 0; i < value.length; i++)
      if ((i < prefix.length ? prefix[i] : items)?.(value[i])) removed = true
    return removed
  }
}

function unionStripper(branches: unknown[]): Stripper | undefined {
  const compiled = branches.filter(isRecord).map((b) => ({ schema: b, strip: compileStrip(b) }))
  if (compiled.every((b) => !b.strip)) return undefined
  return (value) => compiled.find((b) => branchMatches(b.schema, value))?.strip?.(value) === true
}

/** The stripper of a schema, or undefined when values of it never hold anything to remove. */
export function compileStrip(schema: unknown): Stripper | undefined {
  if (!isRecord(schema)) return undefined
  if (Array.isArray(schema.anyOf)) return unionStripper(schema.anyOf)
  if (Array.isArray(schema.oneOf)) return unionStripper(schema.oneOf)
  if (schema.type === 'object') return objectStripper(schema)
  if (schema.type === 'array') return arrayStripper(schema)
  return undefined
}
