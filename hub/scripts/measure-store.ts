/**
 * Measures how long store persistence blocks the event loop at 10,000 devices (issue budget: 50 ms).
 * Run: `node --conditions=source --import tsx hub/scripts/measure-store.ts [devices]`
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { LowdbStore } from '../src/store/lowdb-store.js'
import type { DeviceRecord } from '../src/store/types.js'

const devices = Number(process.argv[2] ?? 10_000)

function record(i: number): DeviceRecord {
  return {
    id: `device-${i.toString().padStart(6, '0')}`,
    name: `ward-${i % 40}-gateway-${i}`,
    secretHash: 'e'.repeat(64),
    disabled: false,
    enrolledAt: new Date().toISOString(),
    lastSeen: new Date().toISOString(),
    online: true,
    agentVersion: '0.1.0',
    identity: {
      hostname: `gw-${i}.hospital.example`,
      vendor: 'Acme Medical Systems',
      model: 'InfusionGate GW-100',
      serial: `SN-${i}-${'x'.repeat(20)}`,
      firmwareVersion: '4.2.1-build.1234',
      hardware: { manufacturer: 'Advantech', model: 'UNO-2271G', uuid: 'f'.repeat(36) },
      os: {
        platform: 'linux',
        id: 'debian',
        versionId: '12',
        codename: 'bookworm',
        prettyName: 'Debian GNU/Linux 12 (bookworm)',
        kernel: '6.1.0-18-amd64',
        arch: 'x64',
      },
    },
    lastState: { status: 'online', ts: new Date().toISOString() },
    inventoryHash: 'a'.repeat(64),
    hardeningHash: 'b'.repeat(64),
    baseline: { id: 'vigil-default', version: 3 },
    packages: 752,
    failingChecks: 4,
    cpuPct: 12.3,
    memUsedPct: 45.6,
    telemetryAt: new Date().toISOString(),
  }
}

async function measure(shards: number) {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-measure-'))
  let maxSerializeMs = 0
  let bytes = 0
  const store = await LowdbStore.open({
    dataDir: dir,
    flushIntervalMs: 3_600_000,
    deviceShards: shards,
    onFlush: (f) => {
      maxSerializeMs = Math.max(maxSerializeMs, f.maxSerializeMs)
      bytes = f.bytes
    },
  })
  for (let i = 0; i < devices; i++) store.devices.put(record(i))
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()
  const t0 = performance.now()
  await store.flush()
  const fullMs = performance.now() - t0
  loop.disable()
  const fullBlock = loop.max / 1e6
  const fullBytes = bytes
  // steady state: 10 % of the fleet changes between two flushes
  const steady = monitorEventLoopDelay({ resolution: 1 })
  steady.enable()
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < devices / 10; i++) {
      const r = record(Math.floor(Math.random() * devices))
      store.devices.put({ ...r, cpuPct: Math.random() * 100 })
    }
    await store.flush()
  }
  steady.disable()
  await store.close()
  await rm(dir, { recursive: true, force: true })
  return {
    shards,
    fullFlushMs: Math.round(fullMs),
    fullBytes,
    maxSerializeMs: Math.round(maxSerializeMs * 10) / 10,
    fullFlushLoopBlockMaxMs: Math.round(fullBlock * 10) / 10,
    steadyLoopBlockMaxMs: Math.round((steady.max / 1e6) * 10) / 10,
  }
}

const results = [await measure(1), await measure(64)]
console.table(results)
console.log(JSON.stringify({ devices, results }))
