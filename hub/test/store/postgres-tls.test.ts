/**
 * The PostgreSQL engine over TLS (VIGIL_DATABASE_SSL_CA): against a real PostgreSQL 15 with `ssl=on`
 * and a certificate signed by a test CA, the hub's connection is encrypted and verified, and a server
 * it cannot verify is refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { loadHubConfig } from '../../src/config.ts'
import { StorageError } from '../../src/store/errors.ts'
import { openStore } from '../../src/store/open.ts'
import type { PgStore } from '../../src/store/postgres/pg-store.ts'
import { tempDir } from '../helpers.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres({ tls: true })
}, 120_000)
afterAll(() => server?.stop())

it('connects over verified TLS with VIGIL_DATABASE_SSL_CA, and refuses a server it cannot verify', async () => {
  const url = await server.createDatabase()
  const env = {
    VIGIL_DATA_DIR: await tempDir(),
    VIGIL_DATABASE_URL: url,
    VIGIL_DATABASE_SSL_CA: server.caFile ?? '',
    VIGIL_DATABASE_POOL_SIZE: '3',
  }
  const store = (await openStore(loadHubConfig({}, env))) as PgStore
  try {
    const { rows } = await store.pool.query<{ ssl: boolean }>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    )
    expect(rows[0]?.ssl).toBe(true)
    expect(store.pool.options.max).toBe(3)
  } finally {
    await store.close()
  }
  // Without the CA the server's certificate is not trusted: refused, with a coded error.
  const { VIGIL_DATABASE_SSL_CA: _, ...withoutCa } = env
  const refused = await openStore(
    loadHubConfig({}, { ...withoutCa, VIGIL_DATABASE_SSL_REJECT_UNAUTHORIZED: 'true' }),
  ).then(
    async (s) => {
      await s.close()
      return undefined
    },
    (err: unknown) => err,
  )
  expect(refused).toBeInstanceOf(StorageError)
  expect((refused as StorageError).code).toBe('STORAGE_FAILED')
  expect((refused as Error).message).toMatch(/certificate/)
})
