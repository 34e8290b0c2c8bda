/**
 * Compiled validators for every trust boundary. `parse` never throws: it answers a result whose error
 * names the offending field, so callers can log, count and drop. (A process that must not load TypeBox
 * uses the validators precompiled at build time from `@vigil/protocol/wire`; same interface.)
 */
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { formatErrors, makeValidator, type Validator } from './validator-core.js'

export type { ParseResult, Validator } from './validator-core.js'

export function compile<T extends TSchema>(schema: T): Validator<T> {
  const compiled = Compile(schema)
  return makeValidator(
    schema,
    (value) => compiled.Check(value),
    (value, limit = 10) => formatErrors(compiled.Errors(value), limit),
  )
}
