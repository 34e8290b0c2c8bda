/** What a command needs from the outside world, so the CLI is one thin shell around testable parts. */
import { readFileSync, statSync } from 'node:fs'

export interface Io {
  out(line: string): void
  err(line: string): void
}

/** Exit codes of every vigil-vendor command. */
export const EXIT = { ok: 0, refused: 1, usage: 2 } as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** A problem with how the command was called or its environment (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    )
  }
}

/** Reads a file unless it is larger than `maxBytes` (then answers undefined without reading it). */
export function readTextUpTo(path: string, what: string, maxBytes: number): string | undefined {
  let size: number
  try {
    size = statSync(path).size
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    )
  }
  return size > maxBytes ? undefined : readText(path, what)
}

export interface Command {
  summary: string
  usage: string
  run(args: string[], io: Io): Promise<ExitCode>
}
