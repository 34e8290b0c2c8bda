/**
 * Compiled validators for the real CSAF 2.0 and OSV JSON Schemas (copies in `../schemas/`). TypeBox's
 * `Compile` takes plain JSON Schema; the CSAF schema refers to the FIRST CVSS schemas by URL, which are
 * handed over in the compile context under exactly those URLs.
 */
import { Compile } from 'typebox/compile'
import csafSchema from '../schemas/csaf-2.0.json' with { type: 'json' }
import cvss20 from '../schemas/cvss-v2.0.json' with { type: 'json' }
import cvss30 from '../schemas/cvss-v3.0.json' with { type: 'json' }
import cvss31 from '../schemas/cvss-v3.1.json' with { type: 'json' }
import osvSchema from '../schemas/osv.json' with { type: 'json' }

type JsonSchema = Record<string, unknown>

/** Drops `$schema`/`$id` of a referenced schema: it is addressed by its context key instead. */
function referenced(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema
  return rest
}

export interface SchemaCheck {
  check(value: unknown): boolean
  /** Up to `limit` problems, each naming the field. */
  errors(value: unknown, limit?: number): string[]
}

function wrap(compiled: {
  Check(v: unknown): boolean
  Errors(v: unknown): Iterable<{ instancePath: string; message: string }>
}): SchemaCheck {
  return {
    check: (v) => compiled.Check(v),
    errors(v, limit = 5) {
      const out: string[] = []
      for (const e of compiled.Errors(v)) {
        out.push(`${e.instancePath === '' ? '(root)' : e.instancePath}: ${e.message}`)
        if (out.length >= limit) break
      }
      return out
    },
  }
}

let csaf: SchemaCheck | undefined
let osv: SchemaCheck | undefined

/** CSAF 2.0 schema validator (compiled on first use). */
export function csafValidator(): SchemaCheck {
  csaf ??= wrap(
    Compile(
      {
        'https://www.first.org/cvss/cvss-v2.0.json': referenced(cvss20 as JsonSchema),
        'https://www.first.org/cvss/cvss-v3.0.json': referenced(cvss30 as JsonSchema),
        'https://www.first.org/cvss/cvss-v3.1.json': referenced(cvss31 as JsonSchema),
      },
      csafSchema as JsonSchema,
    ),
  )
  return csaf
}

/** OSV schema validator (compiled on first use). */
export function osvValidator(): SchemaCheck {
  osv ??= wrap(Compile(osvSchema as JsonSchema))
  return osv
}
