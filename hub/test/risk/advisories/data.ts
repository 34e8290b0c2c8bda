/** Paths into the real public test data (`testdata/` at the repository root). */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const DATA = fileURLToPath(new URL('../../../../testdata/', import.meta.url))
export const CISA = join(DATA, 'csaf-cisa/cisagov__CSAF/csaf_files/OT/white')
export const OASIS = join(DATA, 'csaf-oasis/oasis-tcs__csaf/csaf_2.0')
export const OSV = join(DATA, 'osv')
export const KEV = join(DATA, 'kev/cisagov__kev-data/known_exploited_vulnerabilities.json')
export const LINTER = join(OSV, 'ossf__osv-schema/tools/osv-linter/testdata')

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'))
}

/** Every file under `dir` whose name matches `re`, sorted. */
export function filesUnder(dir: string, re: RegExp): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, re))
    else if (re.test(name)) out.push(p)
  }
  return out
}

export const cisaFiles = (): string[] => filesUnder(CISA, /\.json$/)
