/**
 * CPU cost of the hub's own work per distinct inventory, without sockets: a real hub is started in-process
 * and the ingest pipeline is fed `count` inventories of this machine's dpkg packages (~720), each with
 * a new `firmwareVersion` (so each is a new content-addressed blob and a device update, as the bench's
 * commit section sends them), over `devices` devices, `inFlight` at a time. Prints CPU µs per inventory
 * (correlation included: it runs after the commit) and the wall time from handing it to ingest to its
 * commit (what the broker waits for before PUBACK).
 * Run: `node --conditions=source --import tsx hub/scripts/measure-inventories.ts [count] [devices] [inFlight]`
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canonicalJson, type InstalledPackage, type Inventory, PROTOCOL_VERSION } from '@vigil/protocol'
import { loadHubConfig } from '../src/config.js'
import { createEnrollmentToken, enrollDevice } from '../src/devices/enrollment.js'
import { createIngest } from '../src/ingest/pipeline.js'
import { startHub } from '../src/server.js'

const COUNT = Number(process.argv[2] ?? 300)
const DEVICES = Number(process.argv[3] ?? 100)
const IN_FLIGHT = Number(process.argv[4] ?? 10)

const dir = await mkdtemp(join(tmpdir(), 'vigil-inventories-'))
const hub = await startHub(
  loadHubConfig(
    {
      httpPort: 0,
      mqttPort: 0,
      httpHost: '127.0.0.1',
      mqttHost: '127.0.0.1',
      dataDir: dir,
      adminPassword: 'measure-only',
      logLevel: 'silent',
    },
    {},
  ),
  { logger: false },
)
const h = hub.app.hub
const { token } = createEnrollmentToken(h.store, { uses: DEVICES, createdBy: 'measure' })
const ids = Array.from({ length: DEVICES }, (_, i) => {
  const { device } = enrollDevice(h.store, token, `gw-${i}`)
  h.registry.add({ ...device, online: true })
  return device.id
})
let correlation: { idle(): Promise<void> } | undefined
const ingest = createIngest({
  store: h.store,
  registry: h.registry,
  telemetry: h.telemetry,
  events: h.events,
  metrics: h.metrics,
  hooks: h.hooks,
  commands: h.commands,
  log: hub.app.log,
  isConnected: () => true,
  adoptUnknownDevices: false,
  ...(h.blobs ? { blobs: h.blobs } : {}),
  onCorrelationQueue: (q) => {
    correlation = q
  },
})
const os = { platform: 'linux', id: 'debian', versionId: '12', kernel: '6.1.0-28-amd64', arch: 'x64' }
/** This machine's installed dpkg packages, as the agent reports them (as the bench's images do). */
const packages: InstalledPackage[] = []
for (const stanza of readFileSync('/var/lib/dpkg/status', 'utf8').split(/\n\n+/)) {
  const f = Object.fromEntries(
    stanza.split('\n').flatMap((l) => {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(l)
      return m ? [[m[1], m[2]]] : []
    }),
  ) as Record<string, string | undefined>
  if (!f.Package || !f.Version || !/ installed$/.test(f.Status ?? '')) continue
  const arch = f.Architecture ?? 'all'
  const purl = `pkg:deb/debian/${f.Package}@${encodeURIComponent(f.Version)}?arch=${arch}&distro=debian-12`
  const pkg: InstalledPackage = { name: f.Package, version: f.Version, ecosystem: 'deb', arch, purl }
  const src = f.Source ? /^(\S+)(?:\s+\((.+)\))?$/.exec(f.Source) : null
  if (src?.[1]) pkg.source = src[2] ? { name: src[1], version: src[2] } : { name: src[1] }
  packages.push(pkg)
}
const payload = (n: number) => {
  const content = { firmwareVersion: `measure-${n}`, os, packages }
  const hash = createHash('sha256').update(canonicalJson(content)).digest('hex')
  const inv = { v: PROTOCOL_VERSION, ts: new Date().toISOString(), hash, ...content } as Inventory
  return Buffer.from(JSON.stringify(inv))
}
const payloads = Array.from({ length: COUNT + 20 }, (_, n) => payload(n))

const waits: number[] = []
const run = async (from: number, count: number) => {
  let next = from
  const end = from + count
  const lane = async () => {
    while (next < end) {
      const n = next++
      const t0 = performance.now()
      await ingest({
        deviceId: ids[n % DEVICES] as string,
        kind: 'inventory',
        payload: payloads[n] as Buffer,
      })
      waits.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane))
}
await run(0, 20) // warm-up
waits.length = 0
const cpu0 = process.cpuUsage()
const wall0 = performance.now()
await run(20, COUNT)
const wallMs = performance.now() - wall0
// Correlation runs after the commit: its CPU counts too.
await correlation?.idle()
const cpu = process.cpuUsage(cpu0)
waits.sort((a, b) => a - b)
const q = (p: number) => Math.round(waits[Math.min(waits.length - 1, Math.floor(p * waits.length))] ?? 0)
console.log(
  JSON.stringify({
    inventories: COUNT,
    packages: packages.length,
    bytes: payloads[0]?.length,
    cpuMsPerInventory: Math.round(((cpu.user + cpu.system) / COUNT / 1000) * 100) / 100,
    perSec: Math.round(COUNT / (wallMs / 1000)),
    commitP50Ms: q(0.5),
    commitP99Ms: q(0.99),
  }),
)
await hub.close()
await rm(dir, { recursive: true, force: true })
