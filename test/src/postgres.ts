/**
 * A real PostgreSQL 15 for cross-package tests: the hub's own test harness (`hub/test/postgres.ts`:
 * `initdb` + `pg_ctl` into a temp dir on a free loopback port, databases owned by non-superuser
 * roles), stopped when the calling test ends. One harness for both packages, not a copy.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { PG_BIN, startPostgres as start, type TestPostgres } from '../../hub/test/postgres.ts'

export { PG_BIN, serverLog, type TestPostgres } from '../../hub/test/postgres.ts'

export const hasPostgres = existsSync(join(PG_BIN, 'initdb'))

/** Starts a server for this test (stopped when it ends) and answers it. */
export async function startPostgres(opts: { tls?: boolean } = {}): Promise<TestPostgres> {
  const server = await start(opts)
  onTestFinished(() => server.stop())
  return server
}
