/**
 * `applyDefaults(schema, value)`: fills in the `default` annotations of a schema the way `Value.Default`
 * from `typebox/value` does, without loading TypeBox, and from the schema's JSON alone (a precompiled
 * validator's `schema`). It covers what configuration schemas use — a default on any schema, objects
 * (declared and additional properties) and arrays; a union, record or tuple is passed through, and one
 * holding a default somewhere inside is refused (TypeBox would check each variant). Mutates and
 * returns `value`.
 */

type Schema = Record<string, unknown>

const isRecord = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v)
const has = (o: object, key: string) => Object.hasOwn(o, key)

function holdsDefault(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(holdsDefault)
  if (!isRecord(schema)) return false
  if (has(schema, 'default')) return true
  return Object.values(schema).some(holdsDefault)
}

export function applyDefaults(schema: unknown, value: unknown): unknown {
  if (!isRecord(schema)) return value
  const out = has(schema, 'default') && value === undefined ? structuredClone(schema.default) : value
  if (schema.type === 'object' && isRecord(schema.properties) && !has(schema, 'patternProperties')) {
    if (typeof out !== 'object' || out === null) return out
    const target = out as Schema
    const known = Object.keys(schema.properties)
    for (const key of known) {
      const next = applyDefaults(schema.properties[key], target[key])
      if (next !== undefined) target[key] = next
    }
    const extra = schema.additionalProperties
    if (isRecord(extra)) {
      for (const key of Object.keys(target))
        if (!known.includes(key)) target[key] = applyDefaults(extra, target[key])
    }
    return out
  }
  if (schema.type === 'array' && isRecord(schema.items) && !has(schema, 'prefixItems')) {
    if (!Array.isArray(out)) return out
    for (let i = 0; i < out.length; i++) out[i] = applyDefaults(schema.items, out[i])
    return out
  }
  const inner = { ...schema }
  delete inner.default
  if (holdsDefault(inner))
    throw new TypeError('applyDefaults: defaults below a union, record or tuple are not supported')
  return out
}
