/**
 * Build-time code generation of validators (`@vigil/protocol/precompile`, Node only). For each schema,
 * TypeBox's `Code()` emits the standalone check; this wraps them into one ES module exporting
 * `validators`, a record of `Validator`s (the same interface as `compile()`) built by `precompiled()`
 * from `@vigil/protocol/wire`. The module loads only `typebox/guard` (and `typebox/system` if a check
 * hashes); TypeBox's compiler is loaded the first time a value fails, to name its fields, and format
 * checks (e.g. `date-time`) load `typebox/format` the first time one runs.
 */
import type { TSchema } from 'typebox'
import { Code } from 'typebox/compile'
import { Format } from 'typebox/format'
import { isDateTime } from '../date-time.js'

export interface PrecompileOptions {
  /** Import specifier of the module exporting `precompiled` (validator-core), as the output sees it. */
  core: string
}

function external(value: unknown, where: string): string {
  if (value instanceof RegExp)
    return `new RegExp(${JSON.stringify(value.source)}, ${JSON.stringify(value.flags)})`
  if (typeof value === 'function') {
    // The process-wide `date-time` check (validate.ts) accepts exactly what TypeBox's `IsDateTime`
    // accepts (date-time.ts, property-tested): generated code keeps TypeBox's, loaded when first used.
    if (value === isDateTime) return '(value) => formats().IsDateTime(value)'
    const name = value.name
    if ((Format as unknown as Record<string, unknown>)[name] !== value) {
      throw new Error(`${where}: cannot emit external function ${name || '(anonymous)'}`)
    }
    return `(value) => formats().${name}(value)`
  }
  throw new Error(`${where}: cannot emit external value of type ${typeof value}`)
}

/** The check of one schema as an expression (an IIFE returning the check function). */
function checkExpression(name: string, schema: TSchema): { code: string; hashing: boolean } {
  const result = Code(schema)
  const id = result.External.identifier
  const lines: string[] = []
  for (const line of result.Code.split('\n')) {
    if (line.startsWith('import ') || line === '// @ts-ignore' || line === '') continue
    if (line.startsWith(`let ${id} =`) || line.startsWith('export function SetExternal')) continue
    if (line.includes('CheckContext')) throw new Error(`${name}: unevaluated keywords are not supported`)
    lines.push(line.startsWith('export function Check(') ? line.slice('export '.length) : line)
  }
  const variables = result.External.variables.map((v, i) => external(v, `${name} external ${i}`))
  const code = [
    '(() => {',
    `  const ${id} = [${variables.join(', ')}]`,
    ...lines.map((l) => `  ${l}`),
    '  return Check',
    '})()',
  ].join('\n')
  return { code, hashing: code.includes('Hashing.') }
}

/** ES module source exporting `validators` for the given schemas (keys are the validator names). */
export function precompileModule(schemas: Record<string, TSchema>, options: PrecompileOptions): string {
  const entries = Object.entries(schemas).map(([name, schema]) => ({
    name,
    schema,
    ...checkExpression(name, schema),
  }))
  const out = [
    '// Generated at build time by @vigil/protocol/precompile: do not edit.',
    "import { createRequire } from 'node:module'",
    "import { Guard } from 'typebox/guard'",
    ...(entries.some((e) => e.hashing) ? ["import { Hashing } from 'typebox/system'"] : []),
    `import { precompiled } from ${JSON.stringify(options.core)}`,
    '',
    'const require = createRequire(import.meta.url)',
    "const compiler = () => require('typebox/compile')",
    'let formatModule',
    "const formats = () => (formatModule ??= require('typebox/format').Format)",
    'void Guard',
    '',
    'export const validators = {',
  ]
  for (const e of entries) {
    out.push(`  ${JSON.stringify(e.name)}: precompiled(`)
    out.push(`    ${JSON.stringify(e.schema)},`)
    out.push(`    ${e.code.split('\n').join('\n    ')},`)
    out.push('    compiler,')
    out.push('  ),')
  }
  out.push('}', '')
  return out.join('\n')
}
