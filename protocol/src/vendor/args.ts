import { parseArgs } from 'node:util'
import { UsageError } from './io.js'

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
}

/** Strict option parsing: an unknown option or a missing value is a usage error, never ignored. */
export function parse(args: string[], options: OptionSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    })
    return { values: values as Parsed['values'], positionals }
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name]
  return typeof v === 'string' ? v : undefined
}

export function list(p: Parsed, name: string): string[] {
  const v = p.values[name]
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : []
}

export function one(p: Parsed, what: string): string {
  if (p.positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`)
  return p.positionals[0] as string
}

export function positiveInt(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback
  if (!/^[1-9][0-9]{0,2}$/.test(text))
    throw new UsageError(`--${name} must be a positive integer, got "${text}"`)
  return Number(text)
}
