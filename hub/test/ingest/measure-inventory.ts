/**
 * CPU cost of one maximum-size inventory (not a test): `node --import tsx hub/test/ingest/measure-inventory.ts [bytes]`.
 * Builds a valid inventory just under the MQTT packet limit (default 4 MiB) and times what ingest does
 * with it: decode + validate (the compiled validator), the content hash, and the Store put (durable).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compile, DEVICE_MESSAGES, type Inventory, PROTOCOL_VERSION } from '@vigil/protocol'
import { inventoryContentHash } from '../../src/ingest/content-hash.ts'
import { LowdbStore } from '../../src/store/lowdb-store.ts'

const limit = Number(process.argv[2] ?? 4 * 1024 * 1024) - 64
const inv: Inventory = {
  v: PROTOCOL_VERSION,
  ts: new Date().toISOString(),
  hash: '',
  os: { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' },
  packages: [],
}
let size = JSON.stringify(inv).length
for (let i = 0; size < limit - 200; i++) {
  const version = `${i % 97}.${i % 13}.${i}-1~deb12u${i % 7}`
  const pkg = {
    name: `lib-package-${i}`,
    version,
    ecosystem: 'deb' as const,
    purl: `pkg:deb/debian/lib-package-${i}@${version}`,
  }
  inv.packages.push(pkg)
  size += JSON.stringify(pkg).length + 1
}
inv.hash = inventoryContentHash(inv)
const payload = Buffer.from(JSON.stringify(inv))
const validator = compile(DEVICE_MESSAGES.inventory.schema)
const dir = await mkdtemp(join(tmpdir(), 'vigil-measure-'))
const store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 60_000 })
const rounds = 5
const t = { validate: [] as number[], hash: [] as number[], store: [] as number[] }
for (let r = 0; r < rounds; r++) {
  const copy = { ...inv, ts: new Date(Date.now() + r).toISOString() }
  const text = Buffer.from(JSON.stringify(copy)).toString('utf8')
  let t0 = performance.now()
  const parsed = validator.parse(text)
  if (!parsed.ok) throw new Error(parsed.message)
  t.validate.push(performance.now() - t0)
  t0 = performance.now()
  const hash = inventoryContentHash(parsed.value as Inventory)
  t.hash.push(performance.now() - t0)
  t0 = performance.now()
  // A distinct hash per round so every round writes (content-addressed puts of a known hash are no-ops).
  await store.inventories.put(
    `${hash.slice(0, 62)}${r.toString(16).padStart(2, '0')}`,
    parsed.value as Inventory,
  )
  t.store.push(performance.now() - t0)
}
await store.close()
await rm(dir, { recursive: true, force: true })
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]?.toFixed(1)
console.log(
  JSON.stringify({
    payloadBytes: payload.length,
    packages: inv.packages.length,
    medianMs: { validate: median(t.validate), hash: median(t.hash), store: median(t.store) },
    allMs: t,
  }),
)
