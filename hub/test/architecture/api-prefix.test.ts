/**
 * Routes are declared relative to the one API prefix (protocol's `API_PREFIX`, given once where each
 * route plugin is registered): no source file of the hub spells `/api/v1` in a string of its own again.
 * Strings are read with the TypeScript parser, so comments (which may name a route) do not count.
 * Clients of the API (the CLIs and their HTTP client) are excepted: they call it from outside.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { API_PREFIX } from '@vigil/protocol'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))
/** API clients, not routes: they may name the prefix (better through `API_PREFIX`). */
const CLIENTS = /(^|\/)([\w-]*cli|client)\.ts$/

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
      (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) &&
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
    ].join('\n')
    expect(prefixLiterals(source, '/api/v1')).toEqual([
      '2: /api/v1/devices',
      '3: /api/v1',
      '4: /api/v1/devices/',
      '5: /api/v1/x',
    ])
  })

  it('no route file in hub/src spells the prefix: routes are relative, registered under API_PREFIX', () => {
    expect(API_PREFIX).toBe('/api/v1')
    const files = sourceFiles(SRC).map((f) => relative(SRC, f).split(sep).join('/'))
    expect(files.filter((f) => CLIENTS.test(f))).toEqual(
      expect.arrayContaining(['feeds/cli.ts', 'feeds/client.ts', 'manifests/trust/cli.ts']),
    )
    const offenders = files
      .filter((f) => !CLIENTS.test(f))
      .flatMap((f) => prefixLiterals(readFileSync(join(SRC, f), 'utf8')).map((hit) => `${f}:${hit}`))
    expect(offenders).toEqual([])
  })
})
