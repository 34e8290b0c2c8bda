/**
 * Routes are declared relative to the one API prefix (protocol's `API_PREFIX`, given once where each
 * route plugin is registered), and the API's clients (the hub's and the agent's CLIs, the feeds client,
 * enrollment) build their URLs from it: no source file of the hub or the agent spells `/api/v1` in a
 * string of its own again. Strings are read with the TypeScript parser, so comments and help texts
 * (which may name a route) do not count; a template's parts do (`${base}/api/v1/x`).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { API_PREFIX } from '@vigil/protocol'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))
const AGENT_SRC = fileURLToPath(new URL('../../../agent/src/', import.meta.url))

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) sourceFiles(p, out)
    else if (/\.(ts|mts|cts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

/** `line: text` of every string literal or template part in `source` that starts with the prefix. */
function prefixLiterals(source: string, prefix = API_PREFIX): string[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    if (
      (ts.isStringLiteral(node) ||
        ts.isNoSubstitutionTemplateLiteral(node) ||
        ts.isTemplateHead(node) ||
        ts.isTemplateMiddle(node) ||
        ts.isTemplateTail(node)) &&
      node.text.startsWith(prefix)
    ) {
      const { line } = file.getLineAndCharacterOfPosition(node.getStart())
      found.push(`${line + 1}: ${node.text}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

describe('one API prefix', () => {
  it('finds the prefix in strings and templates, not in comments or other strings', () => {
    const source = [
      '/** GET /api/v1/devices */',
      "app.get('/api/v1/devices', h)",
      'app.get("/api/v1", h)',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to parse, not a template
      'const u = `/api/v1/devices/${id}`',
      'const w = `/api/v1/x`',
      "app.get('/devices', h) // '/api/v1/devices'",
      "const h = '/healthz'",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to parse, not a template
      'const o = `${API_PREFIX}/devices`',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to parse, not a template
      'const p = `${base}/api/v1/session`',
    ].join('\n')
    expect(prefixLiterals(source, '/api/v1')).toEqual([
      '2: /api/v1/devices',
      '3: /api/v1',
      '4: /api/v1/devices/',
      '5: /api/v1/x',
      '9: /api/v1/session',
    ])
  })

  it('no source file of the hub or the agent spells the prefix: routes are relative, clients use API_PREFIX', () => {
    expect(API_PREFIX).toBe('/api/v1')
    const offenders = [SRC, AGENT_SRC].flatMap((root) =>
      sourceFiles(root).flatMap((f) =>
        prefixLiterals(readFileSync(f, 'utf8')).map(
          (hit) => `${relative(root, f).split(sep).join('/')}:${hit}`,
        ),
      ),
    )
    expect(sourceFiles(AGENT_SRC).length).toBeGreaterThan(10)
    expect(offenders).toEqual([])
  })
})
