/** Shared CLI helpers: argument parsing with clear errors, output on a TTY or as JSON. */
import { type ParseArgsConfig, parseArgs } from 'node:util'

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>
export type ParsedValues<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O; strict: true }>
>['values']

export function parse<O extends Options>(argv: string[], options: O): ParsedValues<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values as ParsedValues<O>
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
