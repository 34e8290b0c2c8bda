/**
 * The hub's folders depend on each other in one direction only: the graph of folder-level imports in
 * `hub/src` (a folder is the first path segment under `src/`; a file at the top, such as `config.ts`,
 * is its own node) has no cycle. Imports are read from the real source with the TypeScript compiler's
 * pre-processor (static `import`/`export … from`, `import type`, side-effect and dynamic `import('…')`).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) sourceFiles(p, out)
    else if (/\.(ts|mts|cts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

/** Every module specifier a file names, as the compiler reads it (comments and strings are not imports). */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName)
}

/** `broker/plugin.ts` → `broker`; `config.ts` → `config.ts`; outside `src/` → undefined. */
function nodeOf(file: string, root = SRC): string | undefined {
  const rel = relative(root, file)
  if (rel.startsWith('..')) return undefined
  const parts = rel.split(sep)
  return parts.length === 1 ? (parts[0] as string).replace(/\.js$/, '.ts') : parts[0]
}

/** from → to → the `file: specifier` lines that make the edge. */
type Graph = Map<string, Map<string, string[]>>

/** The graph of `root`'s folders (`hub/src` by default; a feature folder for the folders inside it). */
function folderGraph(root = SRC): Graph {
  const graph: Graph = new Map()
  for (const file of sourceFiles(root)) {
    const from = nodeOf(file, root) as string
    const edges = graph.get(from) ?? new Map<string, string[]>()
    graph.set(from, edges)
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue
      const to = nodeOf(resolve(dirname(file), spec), root)
      if (to === undefined || to === from) continue
      const why = edges.get(to) ?? []
      why.push(`${relative(SRC, file).split(sep).join('/')}: '${spec}'`)
      edges.set(to, why)
    }
  }
  return graph
}

/** One cycle of the graph (its nodes, the first repeated at the end), or undefined if there is none. */
function findCycle(edges: Map<string, Iterable<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'open')
    path.push(n)
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 'open') return [...path.slice(path.indexOf(m)), m]
      if (state.get(m) === undefined) {
        const found = visit(m)
        if (found) return found
      }
    }
    path.pop()
    state.set(n, 'done')
    return undefined
  }
  for (const n of [...edges.keys()].sort()) {
    if (state.get(n) === undefined) {
      const found = visit(n)
      if (found) return found
    }
  }
  return undefined
}

describe('hub folder dependencies', () => {
  it('reads static, type-only, re-exported, side-effect and dynamic imports, not comments', () => {
    const src = [
      "import { a } from './a.js'",
      "import type { B } from '../b/b.js'",
      "export { c } from './c.js'",
      "export * from './d.js'",
      "import './e.js'",
      "const f = await import('../f/f.js')",
      "// import { g } from './g.js'",
      'const h = \'import { h } from "./h.js"\'',
    ].join('\n')
    expect(importsOf(src).sort()).toEqual(['../b/b.js', '../f/f.js', './a.js', './c.js', './d.js', './e.js'])
  })

  it('finds a cycle when there is one, and none when there is not', () => {
    const cyclic = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ])
    expect(findCycle(cyclic)).toEqual(['a', 'b', 'c', 'a'])
    expect(findCycle(new Map([['x', ['x']]]))).toEqual(['x', 'x'])
    expect(findCycle(new Map([...cyclic, ['c', ['d']]]))).toBeUndefined()
  })

  it('sees the real graph (folders and top-level files, with the edges that are known to exist)', () => {
    const graph = folderGraph()
    expect(graph.has('risk')).toBe(true)
    expect(graph.has('config.ts')).toBe(true)
    expect([...(graph.get('broker')?.keys() ?? [])]).toContain('ingest')
    expect([...(graph.get('manifests')?.keys() ?? [])]).toContain('risk')
    expect([...(graph.get('app.ts')?.keys() ?? [])].length).toBeGreaterThan(3)
  })

  it('keeps the bottom of the graph at the bottom: these import no other part of the hub', () => {
    const graph = folderGraph()
    // what everyone uses; among them only `refusal.ts` (the returned form of an error) builds on
    // `errors.ts` (the one catalogue and its thrown form)
    const alone = ['store', 'events', 'metrics', 'net', 'errors.ts', 'refusal.ts']
    const allowed = new Set(['refusal.ts>errors.ts'])
    const reaching = alone.flatMap((n) =>
      [...(graph.get(n) ?? new Map<string, string[]>())]
        .filter(([to]) => !allowed.has(`${n}>${to}`))
        .flatMap(([, why]) => why),
    )
    expect(reaching).toEqual([])
    // core configuration depends on no feature
    expect([...(graph.get('config.ts')?.keys() ?? [])]).toEqual(['net'])
  })

  it('keeps risk/advisories pure: the offline scanner runs it with no hub', () => {
    const dir = join(SRC, 'risk', 'advisories')
    const outside = sourceFiles(dir).flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter(
          (spec) => spec.startsWith('.') && relative(dir, resolve(dirname(file), spec)).startsWith('..'),
        )
        .map((spec) => `${relative(SRC, file).split(sep).join('/')}: '${spec}'`),
    )
    expect(outside).toEqual([])
  })

  it('has no import cycle between the folders inside a feature (risk/, manifests/)', () => {
    for (const feature of ['risk', 'manifests']) {
      const graph = folderGraph(join(SRC, feature))
      expect(graph.size, feature).toBeGreaterThan(2)
      const cycle = findCycle(new Map([...graph].map(([n, to]) => [n, [...to.keys()].sort()])))
      expect(cycle, `${feature}: ${cycle?.join(' → ')}`).toBeUndefined()
    }
  })

  it('has no folder-level import cycle', () => {
    const graph = folderGraph()
    const cycle = findCycle(new Map([...graph].map(([n, to]) => [n, [...to.keys()].sort()])))
    const explain = (c: string[]) =>
      c
        .slice(1)
        .map(
          (to, i) =>
            `${c[i]} → ${to} (${graph
              .get(c[i] as string)
              ?.get(to)
              ?.join(', ')})`,
        )
        .join('\n  ')
    expect(cycle, cycle && `folder-level import cycle:\n  ${explain(cycle)}`).toBeUndefined()
  })
})
