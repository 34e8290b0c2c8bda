/** The hub's store at fleet scale, in its own process (see workers/store.ts). */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type Section, Skip } from '../lib/context.ts'
import { REPO_ROOT, startWorker } from '../lib/proc.ts'
import { round } from '../lib/stats.ts'

export const store: Section = {
  name: 'store',
  async run(ctx) {
    if (!existsSync(join(REPO_ROOT, 'hub', 'dist', 'store', 'lowdb-store.js'))) {
      throw new Skip('hub/dist/store/lowdb-store.js is missing (hub not built)')
    }
    const w = startWorker('store', { devices: ctx.sizes.storeDevices, images: ctx.sizes.images })
    try {
      const { type: _, ...r } = await w.next<Record<string, number | string>>('result', 300_000)
      return Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? round(v, 2) : v]),
      )
    } finally {
      await w.stop()
    }
  },
}
