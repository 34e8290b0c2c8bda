/**
 * `openStore` loads the PostgreSQL engine only when it is configured (issue 19, idle memory): `pg` reads
 * the global `Response` when loaded, which loads Node's undici and its wasm, ~10 MB an embedded hub
 * never uses. A real hub in its own process (a fresh module cache) on each engine.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers.ts'
import { hasPostgres, startPostgres, type TestPostgres } from '../postgres.ts'

const SCRIPT = fileURLToPath(new URL('../fixtures/engine-modules.ts', import.meta.url))

async function loadedBy(env: Record<string, string>): Promise<{ pgFiles: number; undici: boolean }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=source', '--import', import.meta.resolve('tsx'), SCRIPT],
    {
      env: { ...process.env, VIGIL_LOG_LEVEL: 'silent', VIGIL_MQTT_PORT: '0', ...env },
      timeout: 60_000,
    },
  )
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}')
}

describe('the store engine a hub loads', () => {
  let server: TestPostgres | undefined
  beforeAll(async () => {
    if (hasPostgres) server = await startPostgres()
  }, 120_000)
  afterAll(() => server?.stop())

  it('embedded: neither pg nor Node’s fetch stack', async () => {
    expect(await loadedBy({ VIGIL_DATA_DIR: await tempDir() })).toEqual({ pgFiles: 0, undici: false })
  })

  it.skipIf(!hasPostgres)('PostgreSQL: pg, loaded because VIGIL_DATABASE_URL is set', async () => {
    const url = await (server as TestPostgres).createDatabase()
    const loaded = await loadedBy({ VIGIL_DATA_DIR: await tempDir(), VIGIL_DATABASE_URL: url })
    expect(loaded.pgFiles).toBeGreaterThan(0)
    expect(loaded.undici).toBe(true)
  })
})
