/** Correlation at fleet scale, in its own process (see workers/correlation.ts). */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type Section, Skip } from '../lib/context.ts'
import { REPO_ROOT, startWorker } from '../lib/proc.ts'
import { round } from '../lib/stats.ts'

export const correlation: Section = {
  name: 'correlation',
  async run(ctx) {
    if (!existsSync(join(REPO_ROOT, 'hub', 'dist', 'advisories', 'correlate.js'))) {
      throw new Skip('hub/dist/advisories/correlate.js is missing (advisories module not built)')
    }
    // The hub's own incremental engine when it is built; otherwise the advisories module driven the same way.
    const engine = existsSync(join(REPO_ROOT, 'hub', 'dist', 'correlation', 'engine.js'))
    const w = startWorker(engine ? 'correlation-engine' : 'correlation', {
      devices: ctx.sizes.correlationDevices,
      images: ctx.sizes.images,
    })
    try {
      const r = await w.next<Record<string, number | string | null>>('result', 300_000)
      const { type: _, ...figures } = r
      for (const k of [
        'importSeconds',
        'fullSeconds',
        'perInventoryMs',
        'perInventoryP95Ms',
        'newAdvisoryMs',
        'newAdvisoryWithSsvcMs',
        'contextChangeMs',
      ]) {
        const v = figures[k]
        if (typeof v === 'number') figures[k] = round(v, 3)
      }
      return figures
    } finally {
      await w.stop()
    }
  },
}
