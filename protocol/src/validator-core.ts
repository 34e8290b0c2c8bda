/**
 * The `Validator` shape shared by the runtime `compile()` (validate.ts) and the validators precompiled
 * at build time (wire/). This module imports no TypeBox code at run time (types only), so a process
 * that validates with precompiled checks never loads the schema builder or the compiler.
 */
import type { Static, TSchema } from 'typebox'
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-depth.js'
import { compileStrip } from './strip.js'

export type ParseResult<T> =
  | {
      ok: true
      value: T
      /**
       * Set by `parse`: whether undeclared properties were removed. When false, `JSON.parse` of the
       * input text gives exactly `value` again (so a caller may keep the text instead of serialising).
       */
      stripped?: boolean
    }
  | { ok: false; reason: 'json' | 'schema' | 'size'; message: string }

export interface Validator<T extends TSchema> {
  readonly schema: T
  check(value: unknown): value is Static<T>
  /** Human-readable problems, each naming the field (`/os/kernel: …`), at most `limit`. */
  errors(value: unknown, limit?: number): string[]
  /** Validates an already-decoded value (as it is: nothing is removed from the caller's value). */
  validate(value: unknown): ParseResult<Static<T>>
  /**
   * Decodes JSON text or bytes and validates it. Refuses (as `json`) text nested deeper than
   * `MAX_JSON_DEPTH` before decoding it, and answers the value with every property the schema does
   * not declare removed (see strip.ts), so what is kept is exactly what was validated.
   */
  parse(input: string | Uint8Array, maxBytes?: number): ParseResult<Static<T>>
}

/** One problem as TypeBox's `Errors()` reports it (the fields the messages use). */
export interface SchemaError {
  keyword: string
  instancePath: string
  message: string
  params: unknown
}

/** TypeBox's errors as `field: message` lines, at most `limit`. */
export function formatErrors(found: Iterable<SchemaError>, limit = 10): string[] {
  const out: string[] = []
  for (const e of found) {
    // The `boolean` keyword repeats an additionalProperties failure that follows it with a better message.
    if (e.keyword === 'boolean') continue
    const field = e.instancePath === '' ? '(root)' : e.instancePath
    let message = e.message
    const extra = (e.params as { additionalProperties?: unknown } | undefined)?.additionalProperties
    if (Array.isArray(extra)) message += `: ${extra.join(', ')}`
    out.push(`${field}: ${message}`)
    if (out.length >= limit) break
  }
  return out
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/** Builds the `Validator` interface from a check and an error reporter. */
export function makeValidator<T extends TSchema>(
  schema: T,
  check: (value: unknown) => boolean,
  errors: (value: unknown, limit?: number) => string[],
): Validator<T> {
  const strip = compileStrip(schema)
  const validate = (value: unknown): ParseResult<Static<T>> => {
    if (check(value)) return { ok: true, value: value as Static<T> }
    return { ok: false, reason: 'schema', message: errors(value).join('; ') || 'does not match the schema' }
  }
  return {
    schema,
    check: (value: unknown): value is Static<T> => check(value),
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
        const text = typeof input === 'string' ? input : decoder.decode(input)
        if (jsonDepthExceeds(text, MAX_JSON_DEPTH))
          return { ok: false, reason: 'json', message: `nested deeper than ${MAX_JSON_DEPTH} levels` }
        value = JSON.parse(text)
      } catch (err) {
        return { ok: false, reason: 'json', message: `not valid JSON: ${(err as Error).message}` }
      }
      const result = validate(value)
      if (result.ok) result.stripped = strip ? strip(result.value) : false
      return result
    },
  }
}

/** What `typebox/compile` exports, as far as the error path needs it. */
export interface RuntimeCompiler {
  Compile(schema: TSchema): { Errors(value: unknown): Iterable<SchemaError> }
}

/**
 * A validator around a check generated at build time (see build/precompile.ts). Valid input never
 * touches TypeBox; the first invalid one loads TypeBox's compiler (`loadCompiler`, synchronous) to
 * name the offending fields exactly as `compile()` does.
 */
export function precompiled<T extends TSchema>(
  schema: T,
  check: (value: unknown) => boolean,
  loadCompiler: () => RuntimeCompiler,
): Validator<T> {
  let runtime: { Errors(value: unknown): Iterable<SchemaError> } | undefined
  const errors = (value: unknown, limit = 10): string[] => {
    if (check(value)) return []
    runtime ??= loadCompiler().Compile(schema)
    return formatErrors(runtime.Errors(value), limit)
  }
  return makeValidator(schema, check, errors)
}
