/**
 * The agent's folders depend on each other in one direction only: the graph of folder-level imports in
 * `agent/src` (a folder is the first path segment under `src/`; a file at the top, such as `agent.ts`,
 * is its own node) has no cycle, and the bottom (the state-file helpers and the schemas) imports nothing
 * of the agent. The graph is read by `test/src/folder-graph.ts` (shared with the hub).
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { findCycle, graphCycle, folderGraph as graphOf } from '../../../test/src/folder-graph.ts'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))
const folderGraph = () => graphOf(SRC)

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
    const { cycle, message } = graphCycle(folderGraph())
    expect(cycle, message).toBeUndefined()
  })
})
