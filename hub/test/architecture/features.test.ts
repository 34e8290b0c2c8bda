/**
 * Features reach each other only through declared seams: each entry of `FEATURE_PLUGINS` is one
 * fastify-plugin with a name, the decorations it needs and the plugins it depends on; no feature writes
 * into the shared hub context (only the core and the broker set its connection fields), and no module
 * keeps per-hub state in a module-level WeakMap (the old findings "port").
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { FEATURE_PLUGINS } from '../../src/features.ts'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) sourceFiles(p, out)
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

interface PluginMeta {
  name?: string
  dependencies?: string[]
  decorators?: { fastify?: string[] }
}

const metaOf = (plugin: object): PluginMeta | undefined =>
  (plugin as Record<symbol, PluginMeta | undefined>)[Symbol.for('plugin-meta')]

describe('hub features', () => {
  it('are each one named fastify-plugin that declares what it needs', () => {
    const metas = FEATURE_PLUGINS.map(metaOf)
    for (const m of metas) {
      expect(m?.name).toMatch(/^vigil-/)
      expect(m?.dependencies).toContain('vigil-core')
      expect(m?.decorators?.fastify).toContain('hub')
    }
    expect(new Set(metas.map((m) => m?.name)).size).toBe(metas.length)
  })

  it('write nothing into the shared hub context', () => {
    const writes = sourceFiles(SRC).flatMap((file) => {
      const rel = relative(SRC, file).split(sep).join('/')
      if (rel === 'core.ts' || rel.startsWith('broker/')) return []
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /\b(app\.hub|hub)\.\w+\s*(=|\?\?=)[^=]/.test(line))
        .map((line) => `${rel}: ${line.trim()}`)
    })
    expect(writes).toEqual([])
  })

  it('keep no per-hub state in module-level WeakMaps', () => {
    const found = sourceFiles(SRC).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^(export )?(const|let) \w+ = new WeakMap/.test(line))
        .map((line) => `${relative(SRC, file)}: ${line.trim()}`),
    )
    expect(found).toEqual([])
  })
})
