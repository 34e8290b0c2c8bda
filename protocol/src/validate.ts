/**
 * Compiled validators for every trust boundary. `parse` never throws: it answers a result whose error
 * names the offending field, so callers can log, count and drop. (A process that must not load TypeBox
 * uses the validators precompiled at build time from `@vigil/protocol/wire`; same interface.)
 */
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { Format } from 'typebox/format'
import { isDateTime } from './date-time.js'
import { formatErrors, makeValidator, type Validator } from './validator-core.js'

export type { ParseResult, Validator } from './validator-core.js'

// Compiled checks take the format function registered when they are compiled: the same verdicts as
// TypeBox's `date-time`, the agents' form recognised without regular expressions (date-time.ts).
Format.Set('date-time', isDateTime)

export function compile<T extends TSchema>(schema: T): Validator<T> {
  const compiled = Compile(schema)
  return makeValidator(
    schema,
    (value) => compiled.Check(value),
    (value, limit = 10) => formatErrors(compiled.Errors(value), limit),
  )
}
