/**
 * A clone of the repository alone installs, builds and passes its tests: no source, test, benchmark
 * or script reads outside the repository (the real data tests use is in `testdata/`), and no runtime
 * code reads `testdata/` (what the programs need ships inside their package).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SKIP = new Set(['node_modules', 'dist', '.git', 'testdata', 'coverage', 'test-artifacts', '.vite'])
const DOCS = /\.md$/
const CODE = /\.(ts|mts|cts|js|mjs|cjs|vue|sh)$|(^|\/)(package\.json|run)$/

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    // data/ at the root is runtime state (`pnpm start`), not part of the repository
    if (SKIP.has(e.name) || e.name === 'generated' || (dir === ROOT && e.name === 'data')) continue
    const p = join(dir, e.name)
    if (e.isDirectory()) files(p, out)
    else out.push(p)
  }
  return out
}

const all = files(ROOT).map((p) => relative(ROOT, p).split(sep).join('/'))
const code = all.filter((p) => CODE.test(p))
const text = (p: string) => readFileSync(join(ROOT, p), 'utf8')

/** Block and line comments removed (a comment may name `testdata/`; code may not read it). */
function withoutComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1')
}

/** Names of the shared folder beside the repository that a clone does not have. */
const SHARED = /\.\.\/shared\b|shared\/data|'\.\.',\s*'shared'/

describe('the repository is self-contained', () => {
  it('finds the files it checks', () => {
    expect(code).toContain('test/test/self-contained.test.ts')
    expect(code).toContain('agent/src/cli/simulate.ts')
    expect(code.length).toBeGreaterThan(200)
  })

  it('no code, test, benchmark or script names the shared folder beside the repository', () => {
    const self = 'test/test/self-contained.test.ts'
    expect(code.filter((p) => p !== self && SHARED.test(text(p)))).toEqual([])
  })

  it('no document names the shared folder beside the repository', () => {
    expect(all.filter((p) => DOCS.test(p) && SHARED.test(text(p)))).toEqual([])
  })

  it('every relative path written in code stays inside the repository', () => {
    const outside: string[] = []
    for (const p of code) {
      for (const m of text(p).matchAll(/(['"`])(\.\.?\/[^'"`\s$]*)\1/g)) {
        const target = resolve(ROOT, dirname(p), m[2] as string)
        if (!`${target}${sep}`.startsWith(ROOT)) outside.push(`${p}: ${m[2]}`)
      }
      if (/\/work\/|\/tmp\/fresh-ci/.test(text(p))) outside.push(`${p}: an absolute path of a dev machine`)
    }
    expect(outside).toEqual([])
  })

  it('runtime code does not read testdata/ (it is for tests and benchmarks only)', () => {
    const runtime = code.filter((p) => /^(agent|hub|protocol|dashboard)\/src\//.test(p))
    expect(runtime.length).toBeGreaterThan(100)
    expect(runtime.filter((p) => /testdata|shared\/data/.test(withoutComments(text(p))))).toEqual([])
  })
})
