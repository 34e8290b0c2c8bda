/**
 * Plausible device identities from real CSAF advisories (CISA ICS/medical): vendor → product → affected
 * versions. Some simulated gateways get a firmware version inside an advisory's range, others one just
 * outside (fixed), as in a real fleet. The extraction is pure; `loadCatalog` reads a directory of
 * CSAF files (`simulate --csaf <dir>`); without one, `BUILTIN_PROFILES` are used.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import builtinProfiles from './device-profiles.json' with { type: 'json' }

export interface DeviceProfile {
  vendor: string
  model: string
  /** firmware version inside the advisory's affected range */
  affected: string
  /** a version outside it, when one can be derived */
  fixed?: string
  advisory: string
}

interface Branch {
  category?: string
  name?: string
  branches?: Branch[]
}

function bump(v: string, delta: 1 | -1): string | undefined {
  const m = /^(.*?)(\d+)([^\d]*)$/.exec(v)
  if (!m?.[2]) return undefined
  const n = Number(m[2]) + delta
  if (n < 0) return undefined
  return `${m[1]}${String(n).padStart(m[2].length, '0')}${m[3]}`
}

/** A version inside (and one outside) a CSAF product_version(_range) name, when it can be derived. */
export function versionsFor(
  category: string,
  name: string,
): { affected: string; fixed?: string } | undefined {
  const v = name.trim()
  if (v.startsWith('vers:all')) return { affected: '1.0.0' }
  if (v.startsWith('vers:')) return undefined
  if (category === 'product_version') return /^[\w.-]{1,40}$/.test(v) ? { affected: v } : undefined
  const m = /^(<=|<|>=|>)\s*([\w.-]{1,40})$/.exec(v)
  if (!m?.[2]) return undefined
  const bound = m[2]
  switch (m[1]) {
    case '<=': {
      const fixed = bump(bound, 1)
      return fixed ? { affected: bound, fixed } : { affected: bound }
    }
    case '<': {
      const affected = bump(bound, -1)
      return affected ? { affected, fixed: bound } : undefined
    }
    case '>=':
      return { affected: bound }
    default: {
      const affected = bump(bound, 1)
      return affected ? { affected, fixed: bound } : undefined
    }
  }
}

export function profilesFromCsaf(doc: unknown, advisory: string): DeviceProfile[] {
  const out: DeviceProfile[] = []
  const tree = (doc as { product_tree?: { branches?: Branch[] } }).product_tree
  const walk = (branches: Branch[] | undefined, vendor?: string, product?: string) => {
    for (const b of branches ?? []) {
      const v = b.category === 'vendor' ? b.name : vendor
      const p = b.category === 'product_name' || b.category === 'product_family' ? b.name : product
      if (b.branches) walk(b.branches, v, p)
      else if (
        v &&
        p &&
        b.name &&
        (b.category === 'product_version' || b.category === 'product_version_range')
      ) {
        const versions = versionsFor(b.category, b.name)
        if (versions && p.length <= 128 && v.length <= 128)
          out.push({ vendor: v, model: p, ...versions, advisory })
      }
    }
  }
  walk(tree?.branches)
  return out
}

async function jsonFiles(dir: string, limit: number): Promise<string[]> {
  const out: string[] = []
  const entries = await readdir(dir, { withFileTypes: true })
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (out.length >= limit) break
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await jsonFiles(p, limit - out.length)))
    else if (e.name.endsWith('.json')) out.push(p)
  }
  return out
}

/** Reads up to `limit` CSAF files; unreadable ones are skipped. */
export async function loadCatalog(dir: string, limit = 200): Promise<DeviceProfile[]> {
  const profiles: DeviceProfile[] = []
  for (const file of await jsonFiles(dir, limit)) {
    try {
      const doc = JSON.parse(await readFile(file, 'utf8')) as { document?: { tracking?: { id?: string } } }
      profiles.push(...profilesFromCsaf(doc, doc.document?.tracking?.id ?? file))
    } catch {
      // not a CSAF document: skip
    }
  }
  return profiles
}

/**
 * The profiles `loadCatalog` derives from the CISA CSAF advisories the repository carries in
 * `testdata/csaf-cisa` (U.S. Government work, public domain), shipped with the package so that
 * `simulate` needs no data beside it. test/simulate/simulate.test.ts keeps the two equal.
 */
export const BUILTIN_PROFILES: DeviceProfile[] = builtinProfiles
