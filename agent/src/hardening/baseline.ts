/** Which baseline is in force: the hub's (kept on disk) > a local file > the shipped default. */
import { readFile } from 'node:fs/promises'
import type { HardeningBaseline } from '@vigil/protocol'
import { validators } from '@vigil/protocol/wire'
import { DEFAULT_BASELINE } from './default-baseline.js'

export const baselineValidator = validators.hardeningBaseline

export type BaselineSource = 'hub' | 'file' | 'default'

/** Validates a baseline; the error names every offending field. Patterns must compile too. */
export function validateBaseline(
  value: unknown,
): { ok: true; baseline: HardeningBaseline } | { ok: false; message: string } {
  const r = baselineValidator.validate(value)
  if (!r.ok) return { ok: false, message: r.message }
  for (const c of r.value.checks) {
    if (c.kind !== 'file-content') continue
    for (const p of [c.mustMatch, c.mustNotMatch]) {
      if (p === undefined) continue
      try {
        new RegExp(p)
      } catch (err) {
        return {
          ok: false,
          message: `check ${c.id}: invalid pattern ${JSON.stringify(p)}: ${(err as Error).message}`,
        }
      }
    }
  }
  return { ok: true, baseline: r.value }
}

export async function loadBaselineFile(
  file: string,
): Promise<{ ok: true; baseline: HardeningBaseline } | { ok: false; message: string }> {
  let value: unknown
  try {
    value = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    return { ok: false, message: `${file}: ${(err as Error).message}` }
  }
  const r = validateBaseline(value)
  return r.ok ? r : { ok: false, message: `${file}: ${r.message}` }
}

/** A baseline from the hub replaces the current one unless it is the same id at an older or equal version. */
export function shouldReplace(current: HardeningBaseline, incoming: HardeningBaseline): boolean {
  return incoming.id !== current.id || incoming.version > current.version
}

export { DEFAULT_BASELINE }
