/** Minimal `--name value` / `--flag` parsing for the CLI (node:util parseArgs, strict). */
import { parseArgs } from 'node:util'

export function options(argv: string[], spec: Record<string, 'string' | 'boolean'>) {
  return parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(spec).map(([k, type]) => [k, { type }])),
    allowPositionals: true,
    strict: true,
  })
}

export { UsageError } from '../errors.js'
