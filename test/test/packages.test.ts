/**
 * The packages depend downward only: protocol/ imports none of the others; agent/ and dashboard/
 * import protocol/ only; the hub imports protocol/ only (it runs the agent's built script and serves
 * the dashboard's built files, which its package.json declares, but imports no code of theirs). Read
 * from the real imports of every source file (the TypeScript pre-processor; `<script>` blocks of
 * `.vue` files), whether by package name or by a relative path into another package.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PACKAGES = ['protocol', 'agent', 'dashboard', 'hub'] as const
type Pkg = (typeof PACKAGES)[number]

/** Which workspace packages each package's `src/` may import. */
const MAY_IMPORT: Record<Pkg, readonly Pkg[]> = {
  protocol: [],
  agent: ['protocol'],
  dashboard: ['protocol'],
  hub: ['protocol'],
}
/** Which workspace packages each package.json may depend on (the hub runs the agent and serves the dashboard). */
const MAY_DEPEND: Record<Pkg, readonly Pkg[]> = { ...MAY_IMPORT, hub: ['protocol', 'agent', 'dashboard'] }

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name === 'generated') continue
    const p = join(dir, e.name)
    if (e.isDirectory()) sourceFiles(p, out)
    else if (/\.(ts|mts|cts|vue)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

function importsOf(file: string): string[] {
  let src = readFileSync(file, 'utf8')
  if (file.endsWith('.vue'))
    src = [...src.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n')
  return ts.preProcessFile(src, true, true).importedFiles.map((f) => f.fileName)
}

/** The workspace package a specifier reaches from `file`, if it is one. */
function packageOf(file: string, spec: string): Pkg | undefined {
  const named = /^@vigil\/([^/]+)/.exec(spec)?.[1]
  if (named !== undefined) return (PACKAGES as readonly string[]).includes(named) ? (named as Pkg) : undefined
  if (!spec.startsWith('.')) return undefined
  const top = relative(ROOT, resolve(dirname(file), spec)).split(sep)[0]
  return (PACKAGES as readonly string[]).includes(top ?? '') ? (top as Pkg) : undefined
}

function upwardImports(pkg: Pkg): string[] {
  const bad: string[] = []
  for (const file of sourceFiles(join(ROOT, pkg, 'src'))) {
    for (const spec of importsOf(file)) {
      const to = packageOf(file, spec)
      if (to !== undefined && to !== pkg && !MAY_IMPORT[pkg].includes(to))
        bad.push(`${relative(ROOT, file)}: '${spec}'`)
    }
  }
  return bad
}

describe('packages depend downward only', () => {
  it('reads imports by package name and by relative path into another package', () => {
    const f = join(ROOT, 'agent', 'src', 'x.ts')
    expect(packageOf(f, '@vigil/hub/store')).toBe('hub')
    expect(packageOf(f, '../../protocol/src/index.js')).toBe('protocol')
    expect(packageOf(f, './link/client.js')).toBe('agent')
    expect(packageOf(f, 'mqtt')).toBeUndefined()
    expect(sourceFiles(join(ROOT, 'dashboard', 'src')).some((p) => p.endsWith('.vue'))).toBe(true)
  })

  for (const pkg of PACKAGES) {
    it(`${pkg}/src imports ${MAY_IMPORT[pkg].join(', ') || 'no other package'}`, () => {
      expect(sourceFiles(join(ROOT, pkg, 'src')).length).toBeGreaterThan(5)
      expect(upwardImports(pkg)).toEqual([])
    })

    it(`${pkg}/package.json depends on ${MAY_DEPEND[pkg].join(', ') || 'no other package'}`, () => {
      const json = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')) as Record<
        string,
        unknown
      >
      const deps = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap(
        (k) => Object.keys((json[k] as Record<string, string> | undefined) ?? {}),
      )
      const workspace = deps.filter((d) => d.startsWith('@vigil/')).map((d) => d.slice('@vigil/'.length))
      expect(workspace.filter((d) => !(MAY_DEPEND[pkg] as readonly string[]).includes(d))).toEqual([])
    })
  }
})
