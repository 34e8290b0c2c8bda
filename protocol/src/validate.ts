/**
 * Compiled validators for every trust boundary. `parse` never throws: it answers a result whose error
 * names the offending field, so callers can log, count and drop.
 */
import type { Static, TSchema } from 'typebox'
import { Compile } from 'typebox/compile'

export type ParseResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'json' | 'schema' | 'size'; message: string }

export interface Validator<T extends TSchema> {
  readonly schema: T
  check(value: unknown): value is Static<T>
  /** Human-readable problems, each naming the field (`/os/kernel: …`), at most `limit`. */
  errors(value: unknown, limit?: number): string[]
  /** Validates an already-decoded value. */
  validate(value: unknown): ParseResult<Static<T>>
  /** Decodes JSON text or bytes and validates it. */
  parse(input: string | Uint8Array, maxBytes?: number): ParseResult<Static<T>>
}

const decoder = new TextDecoder('utf-8', { fatal: true })

export function compile<T extends TSchema>(schema: T): Validator<T> {
  const compiled = Compile(schema)
  const errors = (value: unknown, limit = 10): string[] => {
    const out: string[] = []
    for (const e of compiled.Errors(value)) {
      // The `boolean` keyword repeats an additionalProperties failure that follows it with a better message.
      if (e.keyword === 'boolean') continue
      const field = e.instancePath === '' ? '(root)' : e.instancePath
      let message = e.message
      const extra = (e.params as { additionalProperties?: unknown }).additionalProperties
      if (Array.isArray(extra)) message += `: ${extra.join(', ')}`
      out.push(`${field}: ${message}`)
      if (out.length >= limit) break
    }
    return out
  }
  const validate = (value: unknown): ParseResult<Static<T>> => {
    if (compiled.Check(value)) return { ok: true, value: value as Static<T> }
    return { ok: false, reason: 'schema', message: errors(value).join('; ') || 'does not match the schema' }
  }
  return {
    schema,
    check: (value: unknown): value is Static<T> => compiled.Check(value),
    errors,
    validate,
    parse(input, maxBytes) {
      const size = typeof input === 'string' ? input.length : input.byteLength
      if (maxBytes !== undefined && size > maxBytes) {
        return {
          ok: false,
          reason: 'size',
          message: `payload of ${size} bytes exceeds the limit of ${maxBytes}`,
        }
      }
      let value: unknown
      try {
        value = JSON.parse(typeof input === 'string' ? input : decoder.decode(input))
      } catch (err) {
        return { ok: false, reason: 'json', message: `not valid JSON: ${(err as Error).message}` }
      }
      return validate(value)
    },
  }
}
