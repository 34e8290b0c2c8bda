/**
 * `pnpm bench [--quick] [--only a,b] [--cpu-prof] [--store postgres]`: runs each section in turn (each starts its own hub
 * and load processes), prints a table and writes `bench-results.json` at the repository root. A section
 * that cannot run yet records `{"skipped": reason}`, one that fails records `{"error": message}`; the
 * run goes on either way.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startPostgres } from '../../hub/test/postgres.ts'
import { type BenchContext, type Section, SIZES, Skip } from './lib/context.ts'
import { disposeFleets, preparedFleet } from './lib/fleet.ts'
import { usePostgres } from './lib/hub.ts'
import { REPO_ROOT } from './lib/proc.ts'
import { round } from './lib/stats.ts'
import { printTable } from './lib/table.ts'
import { judge } from './lib/targets.ts'
import { agent } from './sections/agent.ts'
import { cluster } from './sections/cluster.ts'
import { commit } from './sections/commit.ts'
import { connections } from './sections/connections.ts'
import { correlation } from './sections/correlation.ts'
import { dashboard } from './sections/dashboard.ts'
import { feeds } from './sections/feeds.ts'
import { ingest } from './sections/ingest.ts'
import { latency } from './sections/latency.ts'
import { store } from './sections/store.ts'

const SECTIONS: Section[] = [
  store,
  correlation,
  feeds,
  ingest,
  latency,
  commit,
  connections,
  dashboard,
  agent,
  cluster,
]

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    out: { type: 'string' },
    // UNSAFE, for "what durability costs" only: every hub of the run starts with VIGIL_UNSAFE_NO_FSYNC.
    'unsafe-no-fsync': { type: 'boolean', default: false },
    // Every hub of the run on the PostgreSQL engine: a PostgreSQL 15 started for the run (same machine).
    store: { type: 'string', default: 'embedded' },
  },
})
if (values.store !== 'embedded' && values.store !== 'postgres') {
  process.stderr.write(`--store must be embedded or postgres, not ${values.store}\n`)
  process.exit(2)
}
const postgres = values.store === 'postgres' ? await startPostgres() : undefined
if (postgres) usePostgres(postgres)

if (values['unsafe-no-fsync']) process.env.VIGIL_UNSAFE_NO_FSYNC = 'true'
const mode = values.quick ? 'quick' : 'full'
const only = values.only?.split(',').map((s) => s.trim())
const cpuProfDir = values['cpu-prof'] ? join(REPO_ROOT, 'bench-profiles') : undefined
if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true })
const ctx: BenchContext = {
  mode,
  sizes: SIZES[mode],
  ...(cpuProfDir ? { cpuProfDir } : {}),
  log: (line) => process.stderr.write(`${line}\n`),
}

const started = Date.now()
const results: Record<string, unknown> = {
  mode,
  durability: values['unsafe-no-fsync'] ? 'off (VIGIL_UNSAFE_NO_FSYNC: journal never fsynced)' : 'on',
  store: postgres
    ? 'postgres (VIGIL_DATABASE_URL: PostgreSQL 15 from hub/test/postgres.ts on this machine, fsync on)'
    : 'embedded',
  startedAt: new Date(started).toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAvgAtStart: loadavg().map((x) => round(x, 2)),
  },
}

for (const section of SECTIONS) {
  if (only && !only.includes(section.name)) continue
  ctx.log(`▶ ${section.name}`)
  const t0 = performance.now()
  let figures: Record<string, unknown>
  try {
    figures = await section.run(ctx)
  } catch (err) {
    figures =
      err instanceof Skip
        ? { skipped: err.message }
        : { error: err instanceof Error ? err.message.split('\n')[0] : String(err) }
    if (!(err instanceof Skip))
      ctx.log(`  ${section.name} failed: ${err instanceof Error ? err.stack : String(err)}`)
  }
  results[section.name] = {
    ...judge(section.name, figures, mode),
    sectionSeconds: round((performance.now() - t0) / 1000),
    loadAvg1m: round(loadavg()[0] ?? 0, 2),
  }
}

const fleet = await preparedFleet(ctx.sizes.fleet)
if (fleet) {
  results.enrollment = {
    devices: fleet.devices.length,
    seconds: round(fleet.enrollSeconds),
    perSec: round(fleet.enrollPerSec),
    via: 'POST /api/v1/enroll (one token with uses), 8 requests in flight',
  }
}
await disposeFleets()
await postgres?.stop()
results.totalSeconds = round((Date.now() - started) / 1000)
const out = values.out ?? join(REPO_ROOT, 'bench-results.json')
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)
printTable(results)
ctx.log(`wrote ${out}${cpuProfDir ? ` and hub CPU profiles in ${cpuProfDir}` : ''}`)
process.exit(0)
