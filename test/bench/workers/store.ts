/**
 * The hub's Store (built `LowdbStore`) at fleet scale: `devices` device records as the hub holds them
 * (identity, state, telemetry summary), the 50 content-addressed inventories, and the flushes the hub
 * does — the first full write, a flush after every device changed (telemetry touches each one), and a
 * flush after one device changed. Measured: flush time, bytes on disk, the longest synchronous
 * serialisation, and `monitorEventLoopDelay`'s max while flushing.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { LowdbStore } from '@vigil/hub/store'
import { loadStore } from '../lib/hub-modules.ts'
import { buildImages, identityOf } from '../lib/images.ts'
import { report, workerMain } from '../lib/proc.ts'

type DeviceRecord = Parameters<LowdbStore['devices']['put']>[0]
type FlushInfo = Parameters<NonNullable<Parameters<typeof LowdbStore.open>[0]['onFlush']>>[0]

async function sizeOf(dir: string): Promise<number> {
  let total = 0
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    total += e.isDirectory() ? await sizeOf(p) : (await stat(p)).size
  }
  return total
}

function record(n: number, id: string, images: ReturnType<typeof buildImages>): DeviceRecord {
  const now = new Date().toISOString()
  const image = images[n % images.length]
  if (!image) throw new Error('no gateway image')
  return {
    id,
    name: `gw-${String(n).padStart(5, '0')}`,
    secretHash: 'a'.repeat(64),
    disabled: false,
    enrolledAt: now,
    lastSeen: now,
    online: true,
    agentVersion: '0.1.0',
    identity: identityOf(n, images.length),
    lastState: { status: 'online', ts: now },
    inventoryHash: image.hash,
    hardeningHash: 'b'.repeat(64),
    baseline: { id: 'debian-gateway', version: 3 },
    packages: image.packages.length,
    failingChecks: n % 4,
    cpuPct: 12.5,
    memUsedPct: 43.9,
    telemetryAt: now,
  }
}

workerMain<{ devices: number; images: number }>(async (opts, onStop) => {
  const { LowdbStore } = await loadStore()
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-store-'))
  onStop(() => rm(dir, { recursive: true, force: true }))
  let last: FlushInfo | undefined
  const store = await LowdbStore.open({
    dataDir: dir,
    flushIntervalMs: 3_600_000,
    onFlush: (i) => (last = i),
  })
  const images = buildImages(opts.images)
  const ids = Array.from({ length: opts.devices }, (_, n) => `dev${String(n).padStart(8, '0')}Xq9`)
  for (const [n, id] of ids.entries()) store.devices.put(record(n, id, images))
  for (const image of images) await store.inventories.put(image.hash, image)

  const loop = monitorEventLoopDelay({ resolution: 1 })
  const flush = async () => {
    loop.reset()
    loop.enable()
    const started = performance.now()
    await store.flush()
    const ms = performance.now() - started
    loop.disable()
    return { ms, loopMaxMs: loop.max / 1e6, serializeMs: last?.maxSerializeMs ?? 0, files: last?.files ?? 0 }
  }
  const first = await flush()
  for (const [n, id] of ids.entries()) store.devices.put({ ...record(n, id, images), cpuPct: 20 })
  const all = await flush()
  const one = ids[0] ? ids[0] : ''
  store.devices.put({ ...record(0, one, images), cpuPct: 30 })
  const single = await flush()
  const devicesBytes = await sizeOf(join(dir, 'devices'))
  const total = await sizeOf(dir)
  await store.close()
  report({
    type: 'result',
    devices: opts.devices,
    writeMs: all.ms,
    firstWriteMs: first.ms,
    oneDeviceWriteMs: single.ms,
    fileMB: devicesBytes / 1024 / 1024,
    dataDirMB: total / 1024 / 1024,
    shardFiles: all.files,
    maxEventLoopBlockMs: Math.max(first.loopMaxMs, all.loopMaxMs, single.loopMaxMs),
    maxSerializeMs: Math.max(first.serializeMs, all.serializeMs, single.serializeMs),
  })
})
