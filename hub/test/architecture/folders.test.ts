/**
 * The hub's folders depend on each other in one direction only: the graph of folder-level imports in
 * `hub/src` (a folder is the first path segment under `src/`; a file at the top, such as `config.ts`,
 * is its own node) has no cycle. The graph is read by `test/src/folder-graph.ts` (shared with the agent).
 */
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  findCycle,
  graphCycle,
  folderGraph as graphOf,
  importsOf,
  sourceFiles,
} from '../../../test/src/folder-graph.ts'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

/** The graph of `root`'s folders (`hub/src` by default; a feature folder for the folders inside it). */
const folderGraph = (root = SRC) => graphOf(root, SRC)

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
      const { cycle, message } = graphCycle(graph)
      expect(cycle, `${feature}: ${message}`).toBeUndefined()
    }
  })

  it('has no folder-level import cycle', () => {
    const { cycle, message } = graphCycle(folderGraph())
    expect(cycle, message).toBeUndefined()
  })
})
