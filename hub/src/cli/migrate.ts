/**
 * `vigil-hub migrate --to postgres://…`: moves an embedded hub (VIGIL_DATA_DIR, hub stopped) into an
 * empty PostgreSQL database and verifies the counts (docs/deploy.md, "Moving up").
 */
import type { HubConfig } from '../config.js'
import { LowdbStore } from '../store/lowdb-store.js'
import { storeLocation } from '../store/open.js'
import { options, UsageError } from './args.js'

export const MIGRATE_HELP = `Usage: vigil-hub migrate --to <postgres://user:password@host:port/database>

Copies the embedded store in VIGIL_DATA_DIR (stop the hub first) into an empty PostgreSQL database:
every collection, log, inventory, hardening report and document. Then counts each of them on both
sides and prints the table. Exit 0 when every count matches, 1 otherwise. The data directory is not
changed; start the hub with VIGIL_DATABASE_URL set to the same URL afterwards. TLS to the database:
VIGIL_DATABASE_SSL_CA and VIGIL_DATABASE_SSL_REJECT_UNAUTHORIZED, or sslmode in the URL.`

export async function migrateCommand(
  argv: string[],
  config: HubConfig,
  out: (text: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  const { values } = options(argv, { to: 'string' })
  const url = typeof values.to === 'string' ? values.to : undefined
  if (!url || !/^postgres(ql)?:\/\//.test(url)) throw new UsageError('--to postgres://… is required')
  // The PostgreSQL engine is loaded by this command only, not by every `vigil-hub` start.
  const [{ PgStore }, { copyEmbeddedToPostgres }] = await Promise.all([
    import('../store/postgres/pg-store.js'),
    import('../store/postgres/copy-from-embedded.js'),
  ])
  const source = await LowdbStore.open({ dataDir: config.dataDir, flushIntervalMs: 60_000 })
  try {
    const target = await PgStore.open({
      url,
      ...(config.databaseSslCa !== undefined ? { sslCaFile: config.databaseSslCa } : {}),
      ...(config.databaseSslRejectUnauthorized !== undefined
        ? { sslRejectUnauthorized: config.databaseSslRejectUnauthorized }
        : {}),
    })
    try {
      out(`migrating ${config.dataDir} → ${storeLocation({ dataDir: config.dataDir, databaseUrl: url })}\n`)
      const counts = await copyEmbeddedToPostgres(source, target)
      const width = Math.max(...counts.map((c) => c.kind.length + c.name.length + 1), 10)
      out(`${'what'.padEnd(width)}  ${'source'.padStart(9)}  ${'postgres'.padStart(9)}\n`)
      let bad = 0
      for (const c of counts) {
        const ok = c.source === c.target
        if (!ok) bad++
        out(
          `${`${c.kind} ${c.name}`.padEnd(width)}  ${String(c.source).padStart(9)}  ${String(c.target).padStart(9)}${ok ? '' : '  MISMATCH'}\n`,
        )
      }
      out(bad === 0 ? `all ${counts.length} counts match\n` : `${bad} of ${counts.length} counts differ\n`)
      return bad === 0 ? 0 : 1
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
}
