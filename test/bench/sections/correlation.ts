/**
 * Correlation at fleet scale, in its own process (see workers/correlation.ts): with the advisories of
 * testdata/, then again with ~100,000 records loaded (issue 15; figures suffixed `100k`). With `--cpu-prof`
 * each worker writes its V8 CPU profile to the run's profile directory.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type Section, Skip } from '../lib/context.ts'
import { REPO_ROOT, startWorker } from '../lib/proc.ts'
import { round } from '../lib/stats.ts'

const TIMED = [
  'importSeconds',
  'fullSeconds',
  'fullDecideSeconds',
  'fullDecideCpuSeconds',
  'fullCpuSeconds',
  'perInventoryMs',
  'perInventoryCpuMs',
  'perInventoryP95Ms',
  'newAdvisoryMs',
  'newAdvisoryWithSsvcMs',
  'newAdvisoryWithSsvcCpuMs',
  'contextChangeMs',
  'contextChangeCpuMs',
]
/** Figures kept from the run with the large database. */
const LARGE = [
  'advisories',
  'importSeconds',
  'fullSeconds',
  'fullDecideSeconds',
  'fullDecideCpuSeconds',
  'fullCpuSeconds',
  'recorrelateAllSeconds',
  'findings',
  'perInventoryMs',
  'perInventoryP95Ms',
  'perInventoryCpuMs',
  'newAdvisoryMs',
  'rssAfterImportMb',
  'rssMb',
]

export const correlation: Section = {
  name: 'correlation',
  async run(ctx) {
    if (!existsSync(join(REPO_ROOT, 'hub', 'dist', 'risk', 'advisories', 'correlate.js'))) {
      throw new Skip('hub/dist/risk/advisories/correlate.js is missing (advisories module not built)')
    }
    // The hub's own incremental engine when it is built; otherwise the advisories module driven the same way.
    const engine = existsSync(join(REPO_ROOT, 'hub', 'dist', 'risk', 'correlation', 'engine.js'))
    const run = async (synthetic: number) => {
      // `--cpu-prof`: the worker (engine, decider, register) writes a V8 CPU profile per run.
      const execArgv = ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`] : []
      const w = startWorker(
        engine ? 'correlation-engine' : 'correlation',
        {
          devices: ctx.sizes.correlationDevices,
          images: ctx.sizes.images,
          synthetic,
          ...(ctx.cpuProfDir ? { stepProfileDir: ctx.cpuProfDir } : {}),
        },
        execArgv,
      )
      try {
        const r = await w.next<Record<string, number | string | null>>('result', 600_000)
        const { type: _, ...figures } = r
        for (const k of TIMED) {
          const v = figures[k]
          if (typeof v === 'number') figures[k] = round(v, 3)
        }
        return figures
      } finally {
        await w.stop()
      }
    }
    const figures = await run(0)
    if (!engine) return figures
    // Issue 15: the same with a full OSV Debian + Ubuntu + Alpine sync's worth of records loaded.
    const large = await run(ctx.mode === 'quick' ? 10_000 : 100_000)
    for (const k of LARGE) figures[`${k}100k`] = large[k] ?? null
    return figures
  },
}
