/**
 * A real PostgreSQL 15 for cross-package tests: the hub's own test harness (`hub/test/postgres.ts`:
 * `initdb` + `pg_ctl` into a temp dir on a free loopback port, databases owned by non-superuser
 * roles), stopped when the calling test ends. One harness for both packages, not a copy.
 */
import { onTestFinished } from 'vitest'
import { startPostgres as start, type TestPostgres } from '../../hub/test/postgres.ts'
import { freePort, type HubProcess, startHubProcess } from './processes.ts'
import { tempDir } from './system.ts'

export { hasPostgres, PG_BIN, serverLog, type TestPostgres } from '../../hub/test/postgres.ts'

/** Starts a server for this test (stopped when it ends) and answers it. */
export async function startPostgres(opts: { tls?: boolean } = {}): Promise<TestPostgres> {
  const server = await start(opts)
  onTestFinished(() => server.stop())
  return server
}

/**
 * Several hubs on one database: starts a PostgreSQL for this test, creates a database, and answers its
 * URL and a `start` that runs one more hub process on it (own data dir and ports, `env` added, then the
 * hub's own `hubEnv`: a client id, a broker of its own).
 */
export async function hubsOnOneDatabase(
  env: Record<string, string> = {},
): Promise<{ url: string; start: (hubEnv?: Record<string, string>) => Promise<HubProcess> }> {
  const server = await startPostgres()
  const url = await server.createDatabase()
  const start = async (hubEnv: Record<string, string> = {}) =>
    startHubProcess({
      dataDir: await tempDir(),
      httpPort: await freePort(),
      mqttPort: await freePort(),
      env: { VIGIL_DATABASE_URL: url, ...env, ...hubEnv },
    })
  return { url, start }
}
