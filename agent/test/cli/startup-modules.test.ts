/**
 * What the daemon loads at start is what it keeps in memory (its RSS budget is < 60 MB). Modules only some
 * commands need are loaded when used: manifest signatures, version comparison and artifact downloads
 * (a manifest or key rotation arrived), TypeBox's compiler (an invalid message), systeminformation (not
 * Linux), the CycloneDX writer (`check --sbom`). This lists every module the built `vigil-agent run`
 * imports (the build, not the sources: only the build has the validators precompiled).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const agentDir = join(dirname(fileURLToPath(import.meta.url)), '../..')

/** A resolve hook that prints every module URL the import of `entry` loads. */
function modulesLoadedBy(entry: string): string[] {
  const hook = `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('MODULE ' + r.url + '\\n'); return r }`
  const main = `import { register } from 'node:module'
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}))
await import(${JSON.stringify(entry)})`
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', main], {
    cwd: agentDir,
    encoding: 'utf8',
    timeout: 60_000,
  })
  expect(r.status, r.stderr).toBe(0)
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('MODULE '))
    .map((l) => l.slice('MODULE '.length))
}

describe('vigil-agent run at start', () => {
  it('loads neither signing, version comparison, downloads, TypeBox compiler, systeminformation nor CycloneDX', () => {
    const run = join(agentDir, 'dist/cli/run.js')
    expect(existsSync(run), 'the agent is built (pnpm run build)').toBe(true)
    const loaded = modulesLoadedBy(pathToFileURL(run).href)
    expect(loaded.some((u) => u.endsWith('/agent/dist/agent.js'))).toBe(true)
    expect(loaded.some((u) => u.includes('/mqtt/'))).toBe(true)
    const unwanted = loaded.filter((u) =>
      /\/protocol\/(src|dist)\/(signing|versions)\/|\/manifest\/download\.|typebox\/build\/(compile|value|type)\/|systeminformation|cyclonedx/i.test(
        u,
      ),
    )
    expect(unwanted).toEqual([])
  })
})
