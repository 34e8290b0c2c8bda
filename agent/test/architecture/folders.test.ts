/**
 * The agent's folders depend on each other in one direction only: the graph of folder-level imports in
 * `agent/src` (a folder is the first path segment under `src/`; a file at the top, such as `agent.ts`,
 * is its own node) has no cycle, and the bottom (the state-file helpers and the schemas) imports nothing
 * of the agent. Imports are read from the real source with the TypeScript compiler's pre-processor.
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

/** `daemon/state.ts` → `daemon`; `agent.ts` → `agent.ts`; outside `src/` → undefined. */
function nodeOf(file: string): string | undefined {
  const rel = relative(SRC, file)
  if (rel.startsWith('..')) return undefined
  const parts = rel.split(sep)
  return parts.length === 1 ? (parts[0] as string).replace(/\.js$/, '.ts') : parts[0]
}

/** from → to → the `file: specifier` lines that make the edge. */
function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>()
  for (const file of sourceFiles(SRC)) {
    const from = nodeOf(file) as string
    const edges = graph.get(from) ?? new Map<string, string[]>()
    graph.set(from, edges)
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles) {
      if (!spec.startsWith('.')) continue
      const to = nodeOf(resolve(dirname(file), spec))
      if (to === undefined || to === from) continue
      edges.set(to, [...(edges.get(to) ?? []), `${relative(SRC, file).split(sep).join('/')}: '${spec}'`])
    }
  }
  return graph
}

/** One cycle (its nodes, the first repeated at the end), or undefined. */
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

describe('agent folder dependencies', () => {
  it('finds a cycle when there is one, and none when there is not', () => {
    const cyclic = new Map([
      ['a', ['b']],
      ['b', ['a']],
    ])
    expect(findCycle(cyclic)).toEqual(['a', 'b', 'a'])
    expect(findCycle(new Map([['a', ['b']]]))).toBeUndefined()
  })

  it('sees the real graph', () => {
    const graph = folderGraph()
    expect([...(graph.get('agent.ts')?.keys() ?? [])]).toEqual(expect.arrayContaining(['daemon', 'manifest']))
    expect([...(graph.get('manifest')?.keys() ?? [])]).toEqual(
      expect.arrayContaining(['state-files', 'schemas']),
    )
  })

  it('keeps the state-file helpers and the schemas at the bottom', () => {
    const graph = folderGraph()
    for (const bottom of ['state-files', 'schemas'])
      expect([...(graph.get(bottom)?.values() ?? [])].flat(), bottom).toEqual([])
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
