/**
 * The memoized decider (advisory side × context side, then a table lookup) gives exactly what `decide`
 * computes directly from the same inputs, for arbitrary advisories (vectors, exploit statements), KEV
 * and EPSS, device and model contexts and overrides; context changes and overrides re-decide only the
 * findings they touch. Real correlation engine, real embedded store, real OSV record.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DeviceContext, SsvcPointName } from '@vigil/protocol'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVendorMatcher } from '../../../src/risk/advisories/index.ts'
import { normalizeOsv } from '../../../src/risk/advisories/normalize/osv.ts'
import type { Advisory, Finding, KevEntry } from '../../../src/risk/advisories/types.ts'
import { CorrelationEngine } from '../../../src/risk/correlation/engine.ts'
import { findingId } from '../../../src/risk/register/records.ts'
import { ContextDb } from '../../../src/risk/ssvc/context-db.ts'
import { decide, pointValues } from '../../../src/risk/ssvc/decide.ts'
import { SsvcDecider } from '../../../src/risk/ssvc/decider.ts'
import { LowdbStore } from '../../../src/store/lowdb-store.ts'
import { DLA_3012, inventory, VULNERABLE } from '../register/fixtures.ts'

const VECTORS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
  'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
  'AV:N/AC:L/Au:N/C:P/I:P/A:P',
  'not a vector',
]
const POINTS: SsvcPointName[] = ['exploitation', 'exposure', 'automatable', 'safetyImpact', 'missionImpact']

const variant = fc.record({
  vectors: fc.subarray(VECTORS),
  exploit: fc.option(
    fc.record({
      value: fc.constantFrom('active' as const, 'public poc' as const),
      evidence: fc.constantFrom('CSAF threats exploit_status', 'Exploit-DB reference'),
    }),
  ),
  kev: fc.option(fc.constantFrom('2026-11-01', '')),
  epss: fc.option(fc.constantFrom(0, 0.1, 0.49, 0.5, 0.93)),
  /** CVEs shared between variants (KEV and EPSS are per CVE). */
  cve: fc.integer({ min: 0, max: 2 }),
})

const context: fc.Arbitrary<DeviceContext> = fc.record(
  {
    clinicalFunction: fc.constantFrom(
      'life-sustaining',
      'therapeutic',
      'diagnostic',
      'monitoring',
      'clinical-support',
      'non-clinical',
    ),
    safetyImpact: fc.constantFrom('negligible', 'marginal', 'critical', 'catastrophic'),
    missionImpact: fc.constantFrom('degraded', 'mef-support-crippled', 'mef-failure', 'mission-failure'),
    exposure: fc.constantFrom('small', 'controlled', 'open'),
    ephi: fc.boolean(),
  },
  { requiredKeys: [] },
)

const device = fc.record({ model: fc.option(fc.integer({ min: 0, max: 1 })), own: context })

type Variant = typeof variant extends fc.Arbitrary<infer T> ? T : never
type Device = typeof device extends fc.Arbitrary<infer T> ? T : never

const override = fc.record({
  device: fc.nat(),
  finding: fc.nat(),
  point: fc.constantFrom(...POINTS),
  value: fc.nat(),
})

describe('memoized SSVC decider', () => {
  let dir: string
  let store: LowdbStore
  let contexts: ContextDb
  let base: Advisory
  let run = 0
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-decider-'))
    store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 3_600_000 })
    contexts = await ContextDb.open(store)
    const parsed = normalizeOsv(DLA_3012, 'DLA-3012-1.json')
    if (!parsed.ok) throw new Error(parsed.reason)
    base = parsed.advisory
  })
  afterAll(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** A fleet of one run: its own engine, advisories, device and model ids (the store is shared). */
  function fleet(variants: Variant[], devices: Device[], models: DeviceContext[]) {
    const r = run++
    const engine = new CorrelationEngine(createVendorMatcher())
    const cveOf = (n: number) => `CVE-2099-${r}${n}`
    const kev = new Map<string, KevEntry>()
    const epss = new Map<string, number>()
    for (const [i, v] of variants.entries()) {
      const cve = cveOf(v.cve)
      engine.upsertAdvisory({
        ...base,
        id: `V-${r}-${i}`,
        cves: [cve],
        aliases: [cve],
        vectors: v.vectors,
        exploit: v.exploit,
      })
      if (v.kev !== null)
        kev.set(cve, {
          cveID: cve,
          dueDate: '2026-12-01',
          dateAdded: v.kev,
          vendorProject: 'x',
          product: 'y',
          knownRansomwareCampaignUse: 'Unknown',
        })
      if (v.epss !== null) epss.set(cve, v.epss)
    }
    engine.setEnrichment({ kev, epss, kevVersion: `k${r}` })
    const vendor = `Vendor ${r}`
    for (const [m, c] of models.entries()) contexts.setModel({ vendor, model: `M${m}`, context: c })
    const identities = new Map<string, { vendor: string; model: string }>()
    const ids = devices.map((d, n) => {
      const id = `dev-${r}-${n}`
      if (d.model !== null) identities.set(id, { vendor, model: `M${d.model}` })
      contexts.setDevice(id, d.own)
      engine.setInventory(id, inventory(VULNERABLE))
      return id
    })
    const decider = new SsvcDecider(engine, contexts, (id) => identities.get(id))
    const derived = (id: string) => new Map(engine.findingsFor(id).map((f) => [findingId(id, f), f]))
    /** What `decide` gives from the finding's inputs, read directly (no memo). */
    const direct = (deviceId: string, id: string, f: Finding) => {
      const a = engine.advisories.get(f.advisory)
      return decide({
        kev: f.kev ? { dateAdded: f.cve !== null ? kev.get(f.cve)?.dateAdded : undefined } : null,
        epss: f.epss ?? null,
        exploit: a?.exploit ?? null,
        vectors: a?.vectors ?? [],
        context: contexts.view(deviceId, identities.get(deviceId)),
        overrides: contexts.overridesOf(id),
      })
    }
    return { engine, ids, decider, derived, direct, vendor }
  }

  it('equals the direct decision for every finding, and after context changes and overrides', () => {
    fc.assert(
      fc.property(
        fc.array(variant, { minLength: 1, maxLength: 4 }),
        fc.array(device, { minLength: 1, maxLength: 6 }),
        fc.array(context, { minLength: 2, maxLength: 2 }),
        fc.array(override, { maxLength: 4 }),
        context,
        (variants, devices, models, overrides, change) => {
          const { ids, decider, derived, direct, vendor } = fleet(variants, devices, models)
          let count = 0
          for (const d of ids) {
            const scope = {}
            for (const [id, f] of derived(d)) {
              expect(decider.decisionOf(d, id, f, scope)).toEqual(direct(d, id, f))
              count++
            }
          }
          expect(decider.stats()).toEqual({ decisions: count, held: count })
          // Reading again decides nothing again.
          for (const d of ids) for (const [id, f] of derived(d)) decider.decisionOf(d, id, f)
          expect(decider.stats().decisions).toBe(count)

          // Overrides: each re-decides its one finding.
          for (const o of overrides) {
            const d = ids[o.device % ids.length] as string
            const fs = [...derived(d).keys()]
            const id = fs[o.finding % fs.length] as string
            const values = pointValues(o.point)
            // One value in seven is not a value of the point (ignored, as `decide` does).
            const value = o.value % 7 === 6 ? 'bogus' : (values[o.value % values.length] as string)
            contexts.setOverride(id, d, o.point, { value, by: 'op', at: '2026-12-06', justification: 'why' })
            const before = decider.stats().decisions
            decider.redecide(d, derived(d), id)
            expect(decider.stats().decisions - before).toBe(1)
          }
          // A model default and one device's own context change: only their devices are decided again.
          contexts.setModel({ vendor, model: 'M0', context: change })
          contexts.setDevice(ids[0] as string, change)
          const touched = ids.filter((_, n) => n === 0 || devices[n]?.model === 0)
          const before = decider.stats().decisions
          let redecided = 0
          for (const d of touched) {
            const held = new Map(
              [...derived(d).keys()].map((id) => [id, decider.decisionOf(d, id, undefined)?.outcome]),
            )
            const changes = decider.redecide(d, derived(d))
            redecided += held.size
            for (const [id, f] of derived(d)) {
              const want = direct(d, id, f)
              const change = changes.find((c) => c.findingId === id)
              expect(change === undefined).toBe(held.get(id) === want.outcome)
              if (change)
                expect(change).toEqual({
                  deviceId: d,
                  findingId: id,
                  before: held.get(id),
                  after: want.outcome,
                })
            }
          }
          expect(decider.stats().decisions - before).toBe(redecided)
          for (const d of ids)
            for (const [id, f] of derived(d)) expect(decider.decisionOf(d, id, f)).toEqual(direct(d, id, f))
          expect(decider.stats().decisions - before).toBe(redecided)
        },
      ),
      { numRuns: 80 },
    )
  })

  it('a re-correlated finding with the same inputs keeps its decision; a new revision decides it again', () => {
    const { engine, ids, decider, derived, direct } = fleet(
      [{ vectors: [VECTORS[1] as string], exploit: null, kev: null, epss: 0.1, cve: 0 }],
      [{ model: null, own: { clinicalFunction: 'life-sustaining', exposure: 'open' } }],
      [{}, {}],
    )
    const d = ids[0] as string
    const [[id, f]] = [...derived(d)] as [[string, Finding]]
    const first = decider.decisionOf(d, id, f)
    expect(first?.automatable.value).toBe('no')
    const a = engine.advisories.get(f.advisory) as Advisory
    // Vendor aliases re-correlate every target: new Finding objects, same inputs, no new decision.
    engine.setVendors(engine.advisories.vendors)
    const [[, same]] = [...derived(d)] as [[string, Finding]]
    expect(same).not.toBe(f)
    expect(decider.decisionOf(d, id, same)).toBe(first)
    expect(decider.stats().decisions).toBe(1)
    // A new revision with another vector: decided again, Automatable follows it.
    engine.upsertAdvisory({ ...a, revision: '2099-01-01T00:00:00Z', vectors: [VECTORS[0] as string] })
    const [[, revised]] = [...derived(d)] as [[string, Finding]]
    const second = decider.decisionOf(d, id, revised)
    expect(second).toEqual(direct(d, id, revised))
    expect(second?.automatable.value).toBe('yes')
    expect(decider.decisionOf(d, id, undefined)?.outcome).toBe(second?.outcome)
    expect(decider.stats().decisions).toBe(2)
  })

  it('a new finding is decided and held once (decideNew), replacing a decision held from before', () => {
    const { engine, ids, decider, derived, direct } = fleet(
      [{ vectors: [VECTORS[1] as string], exploit: null, kev: null, epss: 0.1, cve: 0 }],
      [{ model: null, own: { clinicalFunction: 'life-sustaining', exposure: 'open' } }],
      [{}, {}],
    )
    const d = ids[0] as string
    const [[id, f]] = [...derived(d)] as [[string, Finding]]
    decider.decideNew(d, id, f)
    expect(decider.stats()).toEqual({ decisions: 1, held: 1 })
    // Held: the same finding object is not decided again.
    expect(decider.decisionOf(d, id, f)).toEqual(direct(d, id, f))
    expect(decider.stats().decisions).toBe(1)
    // Created again (a record made anew over a held decision): decided, still one held.
    const a = engine.advisories.get(f.advisory) as Advisory
    engine.upsertAdvisory({ ...a, revision: '2099-01-01T00:00:00Z', vectors: [VECTORS[0] as string] })
    const [[, revised]] = [...derived(d)] as [[string, Finding]]
    decider.decideNew(d, id, revised)
    expect(decider.stats()).toEqual({ decisions: 2, held: 1 })
    expect(decider.decisionOf(d, id, undefined)).toEqual(direct(d, id, revised))
  })
})
