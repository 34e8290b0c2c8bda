/** Advisory feeds at scale, in their own process (see workers/feeds.ts). */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type Section, Skip } from '../lib/context.ts'
import { REPO_ROOT, startWorker } from '../lib/proc.ts'
import { round } from '../lib/stats.ts'

export const feeds: Section = {
  name: 'feeds',
  async run(ctx) {
    if (!existsSync(join(REPO_ROOT, 'hub', 'dist', 'feeds', 'plugin.js')))
      throw new Skip('hub/dist/feeds/plugin.js is missing (feeds feature not built)')
    const w = startWorker('feeds', { records: ctx.mode === 'quick' ? 10_000 : 100_000, changed: 100 })
    try {
      const r = await w.next<Record<string, number | string>>('result', 1_200_000)
      const { type: _, ...figures } = r
      for (const k of ['firstSeconds', 'incrementalSeconds']) {
        const v = figures[k]
        if (typeof v === 'number') figures[k] = round(v, 3)
      }
      return figures
    } finally {
      await w.stop()
    }
  },
}
