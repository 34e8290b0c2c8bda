/**
 * The architecture map names real places: every repository path written in ARCHITECTURE.md and
 * CONTRIBUTING.md exists, so the map cannot silently go stale when code moves.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PACKAGES = ['protocol', 'agent', 'hub', 'dashboard', 'test', 'testdata']

/** `hub/src/ingest/pipeline.ts`-like paths in backticks; a bare `src/…` belongs to the row's package. */
function pathsIn(doc: string): string[] {
  const out: string[] = []
  for (const line of readFileSync(join(ROOT, doc), 'utf8').split('\n')) {
    const pkg = PACKAGES.find((p) => line.startsWith(`| ${p} `) || line.includes(`| \`${p}/\` |`))
    for (const m of line.matchAll(/`([\w.-]+\/[\w./-]*)`/g)) {
      const p = (m[1] as string).replace(/\/$/, '')
      if (PACKAGES.some((x) => p.startsWith(`${x}/`))) out.push(p)
      else if (p.startsWith('src/') && pkg) out.push(`${pkg}/${p}`)
    }
  }
  return out
}

describe('the docs name real places', () => {
  for (const doc of ['ARCHITECTURE.md', 'CONTRIBUTING.md', 'README.md']) {
    it(`every path in ${doc} exists`, () => {
      const paths = pathsIn(doc)
      expect(paths.length).toBeGreaterThan(doc === 'README.md' ? 0 : 5)
      expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([])
    })
  }
})
