/**
 * The store conformance suite on the PostgreSQL engine, against a real PostgreSQL 15 started by the
 * test (test/postgres.ts). A conformance "directory" is one database, owned by a non-superuser role.
 */
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import { PgStore } from '../../src/store/postgres/pg-store.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'
import { storeConformance } from './conformance.ts'

let server: TestPostgres
const databases = new Map<string, string>()

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

async function urlFor(dir: string): Promise<string> {
  let url = databases.get(dir)
  if (!url) {
    url = await server.createDatabase()
    databases.set(dir, url)
  }
  return url
}

storeConformance({
  name: 'PostgreSQL 15',
  open: async (dir) => PgStore.open({ url: await urlFor(dir) }),
  writerScript: fileURLToPath(new URL('./fixtures/pg-store-writer.ts', import.meta.url)),
  writerEnv: async (dir) => ({ VIGIL_DATABASE_URL: await urlFor(dir) }),
  files: false,
})
