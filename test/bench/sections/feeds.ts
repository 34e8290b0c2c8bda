/**
 * Advisory feeds at scale: the section serves a local OSV bucket (lib/osv-mirror.ts) from its own
 * process, a worker process runs the hub alone and syncs it (workers/feeds.ts); then the real built
 * hub (`vigil-hub serve`) restarts on the data directory that sync left: how long until it answers,
 * and its memory with every advisory loaded.
 */
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { type Section, Skip } from '../lib/context.ts'
import { settle, startHubProcess } from '../lib/hub.ts'
import { type OsvMirror, startOsvMirror } from '../lib/osv-mirror.ts'
import { REPO_ROOT, startWorker, type Worker } from '../lib/proc.ts'
import { round } from '../lib/stats.ts'

/** The admin password of the worker's hub (workers/feeds.ts). */
const PASSWORD = 'bench-feeds-password'
const CHANGED = 100

export const feeds: Section = {
  name: 'feeds',
  async run(ctx) {
    if (!existsSync(join(REPO_ROOT, 'hub', 'dist', 'feeds', 'plugin.js')))
      throw new Skip('hub/dist/feeds/plugin.js is missing (feeds feature not built)')
    const records = ctx.mode === 'quick' ? 10_000 : 100_000
    let mirror: OsvMirror | undefined
    let w: Worker | undefined
    let dir: string | undefined
    try {
      mirror = await startOsvMirror(records)
      // `--cpu-prof`: the syncing hub's process writes a V8 CPU profile (profile-summary.ts, or
      // `profile-summary.ts --blocks` for the longest synchronous stretches of the sync).
      const profile = ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`] : []
      w = startWorker('feeds', { url: mirror.url, records }, profile)
      dir = String((await w.next<{ dir: string }>('dir')).dir)
      const { type: _, ...figures } = await w.next<Record<string, number | string>>('first', 1_200_000)
      figures.firstSeconds = round(Number(figures.firstSeconds), 3)
      figures.firstRequests = mirror.take().length

      mirror.change(CHANGED)
      w.send({ type: 'incremental' })
      const inc = await w.next<{ incrementalSeconds: number; incrementalUpdated: number }>('incremental')
      figures.incrementalChanged = CHANGED
      figures.incrementalSeconds = round(inc.incrementalSeconds, 3)
      figures.incrementalUpdated = inc.incrementalUpdated
      figures.incrementalRequests = mirror.take().length
      const { dataDir } = await w.next<{ dataDir: string }>('closed', 120_000)
      await w.stop()

      // Restart on what the sync stored: time to the first answer, and memory once loaded.
      const hub = await startHubProcess({ dataDir, adminPassword: PASSWORD, readyTimeoutMs: 600_000 })
      try {
        figures.restartSeconds = round(hub.readyMs / 1000, 3)
        const list = await hub.api<{ total: number }>('GET', '/api/v1/advisories?limit=1')
        figures.restartAdvisories = list.total
        await settle()
        figures.restartRssMb = Math.round(hub.rssMB())
      } finally {
        await hub.stop(true)
      }
      return figures
    } finally {
      await w?.stop()
      await mirror?.close()
      if (dir) await rm(dir, { recursive: true, force: true })
    }
  },
}
