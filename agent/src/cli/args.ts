/** Shared CLI helpers: argument parsing with clear errors, output on a TTY or as JSON. */
import { type ParseArgsConfig, parseArgs } from 'node:util'

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>
export type ParsedValues<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O; strict: true }>
>['values']

/**
 * `--token -Xy…`: a value may start with a dash (enrollment tokens are base64url, 1 in 64 does), which
 * parseArgs calls ambiguous. A string option followed by something that is not one of our options
 * takes it as its value, as `--token=-Xy…` would.
 */
function joinDashValues(argv: string[], options: Options): string[] {
  const isOption = (a: string) =>
    a.startsWith('--')
      ? (a.slice(2).split('=')[0] as string) in options
      : Object.values(options).some((o) => o.short !== undefined && a === `-${o.short}`)
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    const next = argv[i + 1]
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined
    if (
      name &&
      options[name]?.type === 'string' &&
      next?.startsWith('-') &&
      next !== '-' &&
      !isOption(next)
    ) {
      out.push(`${a}=${next}`)
      i++
    } else out.push(a)
  }
  return out
}

export function parse<O extends Options>(argv: string[], options: O): ParsedValues<O> {
  try {
    return parseArgs({ args: joinDashValues(argv, options), options, allowPositionals: false, strict: true })
      .values as ParsedValues<O>
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

export interface Io {
  out(text: string): void
  err(text: string): void
  color: boolean
}

export const processIo = (color: boolean): Io => ({
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  color: color && process.stdout.isTTY === true,
})
