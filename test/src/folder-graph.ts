/**
 * The folder-level import graph of a package's `src/`, shared by the hub's and the agent's
 * architecture tests (`<pkg>/test/architecture/folders.test.ts` import it by relative path). A node is
 * the first path segment under the root (a folder), or a file at the top (`config.ts`). Imports are
 * read from the real source with the TypeScript compiler's pre-processor: static `import`/`export …
 * from`, `import type`, side-effect and dynamic `import('…')`; comments and strings are not imports.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import ts from 'typescript'

/** Every TypeScript source file under `dir` (declaration files left out). */
export function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) sourceFiles(p, out)
    else if (/\.(ts|mts|cts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

/** Every module specifier a file names, as the compiler reads it. */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName)
}

/** `broker/plugin.ts` → `broker`; `config.ts` → `config.ts`; outside `root` → undefined. */
export function nodeOf(file: string, root: string): string | undefined {
  const rel = relative(root, file)
  if (rel.startsWith('..')) return undefined
  const parts = rel.split(sep)
  return parts.length === 1 ? (parts[0] as string).replace(/\.js$/, '.ts') : parts[0]
}

/** from → to → the `file: specifier` lines that make the edge (files named relative to `base`). */
export type Graph = Map<string, Map<string, string[]>>

/** The graph of `root`'s folders; edges are explained with paths relative to `base` (default `root`). */
export function folderGraph(root: string, base = root): Graph {
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
      why.push(`${relative(base, file).split(sep).join('/')}: '${spec}'`)
      edges.set(to, why)
    }
  }
  return graph
}

/** One cycle of the graph (its nodes, the first repeated at the end), or undefined if there is none. */
export function findCycle(edges: Map<string, Iterable<string>>): string[] | undefined {
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

/** A cycle of `graph`, if any, and a message naming the imports that make each of its edges. */
export function graphCycle(graph: Graph): { cycle: string[] | undefined; message: string | undefined } {
  const cycle = findCycle(new Map([...graph].map(([n, to]) => [n, [...to.keys()].sort()])))
  const message =
    cycle &&
    `folder-level import cycle:\n  ${cycle
      .slice(1)
      .map(
        (to, i) =>
          `${cycle[i]} → ${to} (${graph
            .get(cycle[i] as string)
            ?.get(to)
            ?.join(', ')})`,
      )
      .join('\n  ')}`
  return { cycle, message }
}
