/**
 * Validators for what a device receives. From source (tests, tsx) they are compiled at run time; the
 * build overwrites dist/wire/validators.js with checks generated ahead of time (same exports, same
 * behaviour, no TypeBox loaded until an invalid value needs its errors named).
 */
import { compile, type Validator } from '../validate.js'
import { WIRE_SCHEMAS } from './schemas.js'

type WireSchemas = typeof WIRE_SCHEMAS

export const validators = Object.fromEntries(
  Object.entries(WIRE_SCHEMAS).map(([name, schema]) => [name, compile(schema)]),
) as { readonly [K in keyof WireSchemas]: Validator<WireSchemas[K]> }
