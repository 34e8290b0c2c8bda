/**
 * Correlation timings (not a test): `node --import tsx hub/test/correlation/measure.ts [devices] [images]`.
 * This machine's dpkg inventory (as an agent reports it) × every OSV/CSAF record in testdata/,
 * spread over `images` distinct gateway images and `devices` devices, then the risk register on top.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Inventory, PROTOCOL_VERSION } from '@vigil/protocol'
import { createVendorMatcher, importAdvisories } from '../../../src/risk/advisories/index.ts'
import { CorrelationEngine } from '../../../src/risk/correlation/engine.ts'
import { RegisterDb } from '../../../src/risk/register/records.ts'
import { RiskRegister } from '../../../src/risk/register/register.ts'
import { LowdbStore } from '../../../src/store/lowdb-store.ts'
import { CISA, KEV, OSV } from '../advisories/data.ts'
import { DLA_3012 } from '../register/fixtures.ts'

const devices = Number(process.argv[2] ?? 10_000)
const images = Number(process.argv[3] ?? 20)
const ms = (t: number) => `${(performance.now() - t).toFixed(1)} ms`

// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
const rows = execFileSync('dpkg-query', ['-W', '-f=${Package}\t${Version}\t${source:Package}\n'], {
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .map((l) => l.split('\t'))
function image(n: number): Inventory {
  const packages: Inventory['packages'] = rows.map(([name = '', version = '', source = '']) => ({
    name,
    version,
    ecosystem: 'deb',
    purl: `pkg:deb/debian/${name}@${version}`,
    ...(source && source !== name ? { source: { name: source } } : {}),
  }))
  // images differ by one package version, and one of them carries a vulnerable libxml2 from Debian 9
  packages.push({
    name: 'vigil-image',
    version: String(n),
    ecosystem: 'deb',
    purl: `pkg:deb/debian/vigil-image@${n}`,
  })
  const hash = createHash('sha256').update(JSON.stringify(packages)).digest('hex')
  return {
    v: PROTOCOL_VERSION,
    ts: new Date().toISOString(),
    hash,
    os: { platform: 'linux', id: 'debian', versionId: n === 0 ? '9' : '12', kernel: '6.1', arch: 'x64' },
    packages:
      n === 0
        ? [...packages, { name: 'libxml2', version: '2.9.4+dfsg1-2.2+deb9u6', ecosystem: 'deb', purl: 'x' }]
        : packages,
  }
}

let t = performance.now()
const s = await importAdvisories([OSV, CISA, KEV])
console.log(`import ${s.index?.size ?? 0} advisories: ${ms(t)}`)
const engine = new CorrelationEngine(createVendorMatcher())
engine.enrichment = { kev: s.kev, epss: s.epss, kevVersion: s.kevVersion }
for (const a of s.index?.all() ?? []) engine.advisories.upsert(a)
const inventories = Array.from({ length: images }, (_, i) => image(i))
console.log(`${devices} devices, ${images} images of ${inventories[0]?.packages.length} packages`)

t = performance.now()
const first = performance.now()
engine.setInventory('dev-0', inventories[0] as Inventory)
console.log(`first inventory correlated: ${ms(first)}`)
for (let d = 1; d < devices; d++) engine.setInventory(`dev-${d}`, inventories[d % images] as Inventory)
console.log(`all inventories: ${ms(t)} (correlations: ${engine.stats().correlations})`)

const dir = await mkdtemp(join(tmpdir(), 'vigil-measure-'))
const store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 60_000 })
const db = await RegisterDb.open(store)
const register = new RiskRegister({ db, engine, deviceName: (id) => id, audit: () => {}, emit: () => {} })
t = performance.now()
for (const id of engine.deviceIds()) register.reconcile(id)
console.log(`register reconcile: ${ms(t)} (${db.records.size} findings)`)

t = performance.now()
const before = engine.stats().correlations
const revised = { ...(DLA_3012 as object), modified: '2030-01-01T00:00:00Z' }
const norm = await import('../../../src/risk/advisories/normalize/osv.ts')
const r = norm.normalizeOsv(revised, 'measure')
if (r.ok) engine.upsertAdvisory(r.advisory)
console.log(
  `revised advisory: ${ms(t)} (re-correlated ${engine.stats().correlations - before} of ${engine.stats().targets} targets)`,
)

t = performance.now()
const list = register.views()
console.log(`views of the whole register: ${ms(t)} (${list.length})`)
t = performance.now()
register.sweep()
console.log(`sweep: ${ms(t)}`)
await rm(dir, { recursive: true, force: true })
