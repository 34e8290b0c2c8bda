/**
 * Advisory feeds at scale: a real hub (built hub/dist, alone in this process) syncs the section's
 * local OSV bucket (lib/osv-mirror.ts, another process) through its feeds API: records/s, peak RSS,
 * longest event-loop block, garbage-collection pauses. Then, when the section says the upstream
 * changed, an incremental sync. The hub is closed before the last report; its data directory is left
 * for the section's restart measurement.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { loadHubConfig, startHub } from '@vigil/hub'
import type { FeedSyncResult, FeedView } from '@vigil/protocol'
import { monitorCpuBlocks } from '../lib/cpu-blocks.ts'
import { report, type WorkerMessage, workerMain } from '../lib/proc.ts'

const FEEDS_ADMIN_PASSWORD = 'bench-feeds-password'

const nextMessage = (type: string) =>
  new Promise<WorkerMessage>((resolve) => {
    const on = (m: WorkerMessage) => {
      if (m.type !== type) return
      process.off('message', on)
      resolve(m)
    }
    process.on('message', on)
  })

workerMain<{ url: string; records: number }>(async (opts) => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-feeds-'))
  const dataDir = join(dir, 'data')
  report({ type: 'dir', dir })
  const hub = await startHub(
    loadHubConfig(
      {
        httpHost: '127.0.0.1',
        httpPort: 0,
        mqttHost: '127.0.0.1',
        mqttPort: 0,
        dataDir,
        adminPassword: FEEDS_ADMIN_PASSWORD,
        logLevel: 'warn',
      },
      {},
    ),
  )
  try {
    const inject = async <T>(method: 'GET' | 'POST', url: string, token?: string, payload?: object) => {
      const r = await hub.app.inject({
        method,
        url,
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
        ...(payload ? { payload } : {}),
      })
      return r.json<T>()
    }
    const { token } = await inject<{ token: string }>('POST', '/api/v1/session', undefined, {
      username: 'admin',
      password: FEEDS_ADMIN_PASSWORD,
    })
    const feed = await inject<FeedView>('POST', '/api/v1/feeds', token, {
      kind: 'osv',
      url: opts.url,
      ecosystems: ['Bench'],
      enabled: false,
    })
    const feeds = hub.app.feeds
    if (!feeds) throw new Error('the hub has no feeds feature')
    const loop = monitorEventLoopDelay({ resolution: 5 })
    let peakRss = process.memoryUsage.rss()
    const rssTimer = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss())
    }, 100)
    // Garbage-collection pauses, to tell the collector's blocks from the hub's own.
    let maxGcMs = 0
    let maxMajorGcMs = 0
    let gcMs = 0
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        maxGcMs = Math.max(maxGcMs, e.duration)
        const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) maxMajorGcMs = Math.max(maxMajorGcMs, e.duration)
        gcMs += e.duration
      }
    })
    gc.observe({ entryTypes: ['gc'] })
    loop.enable()
    const cpuBlocks = monitorCpuBlocks()
    let t = performance.now()
    await inject('POST', `/api/v1/feeds/${feed.id}/sync`, token)
    const first: FeedSyncResult = await feeds.startSync(feed.id)
    const firstSeconds = (performance.now() - t) / 1000
    loop.disable()
    cpuBlocks?.stop()
    gc.disconnect()
    clearInterval(rssTimer)
    if (!first.ok) throw new Error(`first sync failed: ${first.error}`)
    const advisories = hub.app.advisoryIntake?.advisoryCount ?? 0
    report({
      type: 'first',
      records: opts.records,
      firstSeconds,
      recordsPerSec: Math.round(opts.records / firstSeconds),
      added: first.added,
      advisories,
      peakRssMb: Math.round(peakRss / 2 ** 20),
      maxEventLoopBlockMs: Math.round(loop.max / 1e6),
      p99EventLoopDelayMs: Math.round(loop.percentile(99) / 1e6),
      // The same blocks in the main thread's own CPU time (a loaded machine's queueing left out).
      ...(cpuBlocks ? { maxEventLoopBlockCpuMs: Math.round(cpuBlocks.top(1)[0]?.cpuMs ?? 0) } : {}),
      maxGcPauseMs: Math.round(maxGcMs),
      maxMajorGcPauseMs: Math.round(maxMajorGcMs),
      gcSeconds: Math.round(gcMs) / 1000,
    })

    // With --cpu-prof: where the longest blocks end, to find them in the profile (profile-blocks.ts --at).
    if (process.execArgv.includes('--cpu-prof'))
      process.stderr.write(
        `feeds worker: longest CPU blocks (endUs cpuMs wallMs queuedMs): ${JSON.stringify(
          cpuBlocks
            ?.top(8)
            .map((b) => [b.endUs, +b.cpuMs.toFixed(1), +b.wallMs.toFixed(1), +b.queuedMs.toFixed(1)]),
        )}\n`,
      )
    await nextMessage('incremental')
    t = performance.now()
    await inject('POST', `/api/v1/feeds/${feed.id}/sync`, token)
    const inc = await feeds.startSync(feed.id)
    const incSeconds = (performance.now() - t) / 1000
    if (!inc.ok) throw new Error(`incremental sync failed: ${inc.error}`)
    report({ type: 'incremental', incrementalSeconds: incSeconds, incrementalUpdated: inc.updated })
  } finally {
    await hub.close()
  }
  report({ type: 'closed', dataDir })
})
