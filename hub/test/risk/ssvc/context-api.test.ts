/**
 * Issue 17 points 1–3 on a real hub with real MQTT devices and a real OSV record: asset context through
 * PATCH, model defaults, bulk and CSV import; SSVC decisions with their sources; recomputation that is
 * incremental (the engine's correlation counter does not move on a context change; a KEV import
 * re-correlates only the targets holding the CVE); overrides that survive re-correlation and a restart.
 */
import type { ContextImportResult, DeviceContextView, FindingView } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { tempDir, testHub } from '../../helpers.ts'
import { api, DLA_3012, findingsOf, waitFindings } from '../register/fixtures.ts'
import { fleet } from './fleet.ts'

interface Stats {
  correlations: number
  decisions: number
}

const KEV = (cve: string, version: string) => ({
  title: 'CISA Catalog of Known Exploited Vulnerabilities',
  catalogVersion: version,
  dateReleased: '2026-11-28T00:00:00.000Z',
  count: 1,
  vulnerabilities: [
    {
      cveID: cve,
      vendorProject: 'xmlsoft',
      product: 'libxml2',
      dateAdded: '2026-11-01',
      dueDate: '2099-01-01',
      knownRansomwareCampaignUse: 'Unknown',
    },
  ],
})

const one = async (a: Awaited<ReturnType<typeof api>>, deviceId: string): Promise<FindingView> => {
  const [f] = await findingsOf(a, `device=${deviceId}`)
  if (f === undefined) throw new Error('no finding')
  return f
}

describe('asset context', () => {
  it('unknown is shown as unknown and decided cautiously; device values beat the model default', async () => {
    const { a, devices } = await fleet(2)
    const [d0, d1] = devices as [string, string]
    const ctx = await a.get<DeviceContextView>(`/api/v1/devices/${d0}/context`)
    expect(ctx.status).toBe(200)
    expect(ctx.body.context.clinicalFunction).toBeNull()
    expect(ctx.body.sources.exposure).toBe('unknown')
    const before = await one(a, d0)
    expect(before.clinicalFunction).toBeNull()
    expect(before.ssvc).toMatchObject({
      outcome: 'out-of-cycle',
      exposure: { value: 'open', source: 'unknown, treated as open (cautious)' },
      safetyImpact: { value: 'catastrophic', source: 'unknown, treated as catastrophic (cautious)' },
      automatable: { value: 'yes', source: 'no CVSS vector: unknown, treated as yes (cautious)' },
      exploitation: { value: 'none' },
    })

    // a model default reaches both devices of the model
    const model = await a.put('/api/v1/device-models/context', {
      vendor: 'Acme Medical',
      model: 'GW-100',
      context: { clinicalFunction: 'non-clinical', exposure: 'controlled', location: 'Lobby' },
    })
    expect(model.status).toBe(200)
    for (const d of devices) {
      const f = await one(a, d)
      expect(f.clinicalFunction).toBe('non-clinical')
      // none × controlled × yes × low (negligible × degraded) → scheduled
      expect(f.ssvc).toMatchObject({
        outcome: 'scheduled',
        exposure: { value: 'controlled', source: 'model default' },
        safetyImpact: { value: 'negligible', source: 'clinical function non-clinical (default)' },
        humanImpact: { value: 'low' },
      })
    }
    // the device's own value wins; clearing it (null) falls back to the model's
    const patched = await a.patch(`/api/v1/devices/${d1}`, {
      context: { clinicalFunction: 'life-sustaining', ephi: true },
    })
    expect(patched.status).toBe(200)
    const view = (await a.get<DeviceContextView>(`/api/v1/devices/${d1}/context`)).body
    expect(view.context).toMatchObject({ clinicalFunction: 'life-sustaining', ephi: true, location: 'Lobby' })
    expect(view.sources).toMatchObject({ clinicalFunction: 'device', location: 'model', owner: 'unknown' })
    expect((await one(a, d1)).ssvc?.humanImpact.value).toBe('very high')
    // re-ranked: both are scheduled (controlled exposure, no exploitation), but the life-sustaining
    // device's finding (Human Impact very high) comes first when sorted by decision
    const ranked = await findingsOf(a, 'sort=decision')
    expect(ranked.map((f) => [f.deviceId, f.ssvc?.outcome])).toEqual([
      [d1, 'scheduled'],
      [d0, 'scheduled'],
    ])
    // with open exposure the life-sustaining device's finding becomes out-of-cycle, the other stays
    await a.patch(`/api/v1/devices/${d1}`, { context: { exposure: 'open' } })
    expect((await findingsOf(a, 'decision=out-of-cycle,immediate')).map((f) => f.deviceId)).toEqual([d1])
    expect((await findingsOf(a, 'decision=scheduled')).map((f) => f.deviceId)).toEqual([d0])
    await a.patch(`/api/v1/devices/${d1}`, { context: { clinicalFunction: null } })
    expect((await one(a, d1)).clinicalFunction).toBe('non-clinical')
    // bad values are refused by the schema
    expect((await a.patch(`/api/v1/devices/${d1}`, { context: { exposure: 'internet' } })).status).toBe(400)
  })

  it('bulk edit sets many devices at once; an unknown id refuses the whole change', async () => {
    const { a, devices } = await fleet(2)
    const bad = await a.post('/api/v1/devices/context/bulk', {
      ids: [...devices, 'no-such-device'],
      context: { clinicalFunction: 'therapeutic' },
    })
    expect(bad.status).toBe(404)
    for (const d of devices) expect((await one(a, d)).clinicalFunction).toBeNull()
    const ok = await a.post<{ updated: number; redecided: number }>('/api/v1/devices/context/bulk', {
      ids: devices,
      context: { clinicalFunction: 'therapeutic', owner: 'Biomed team' },
    })
    expect(ok.body).toEqual({ updated: 2, redecided: 2 })
    for (const d of devices) expect((await one(a, d)).clinicalFunction).toBe('therapeutic')
  })

  it('CSV import: a dry run previews; a bad row is named and nothing is applied; a clean file applies', async () => {
    const { a, devices } = await fleet(2)
    const [d0, d1] = devices as [string, string]
    const mapping = {
      device: 'Asset Name',
      clinicalFunction: 'Function',
      exposure: 'Network',
      ephi: 'PHI',
      location: 'Dept',
    }
    const header = 'Asset Name,Function,Network,PHI,Dept\n'
    const good = `${header}gw-0,Life Sustaining,controlled,yes,ICU\n"gw-1",monitoring,small,no,"Ward 3, east"\n`
    const preview = await a.post<ContextImportResult>('/api/v1/devices/context/import', {
      csv: good,
      mapping,
    })
    expect(preview.status).toBe(200)
    expect(preview.body).toMatchObject({ applied: false, errors: 0 })
    expect(preview.body.rows).toEqual([
      {
        line: 2,
        key: 'gw-0',
        deviceId: d0,
        context: { clinicalFunction: 'life-sustaining', exposure: 'controlled', ephi: true, location: 'ICU' },
      },
      {
        line: 3,
        key: 'gw-1',
        deviceId: d1,
        context: { clinicalFunction: 'monitoring', exposure: 'small', ephi: false, location: 'Ward 3, east' },
      },
    ])
    expect((await one(a, d0)).clinicalFunction).toBeNull()

    const bad = `${header}gw-0,Life Sustaining,controlled,yes,ICU\ngw-1,toaster,small,maybe,Ward 3\nnobody,monitoring,small,no,X\n`
    const refused = await a.post<ContextImportResult>('/api/v1/devices/context/import', {
      csv: bad,
      mapping,
      dryRun: false,
    })
    expect(refused.status).toBe(200)
    expect(refused.body.applied).toBe(false)
    expect(refused.body.errors).toBe(2)
    expect(refused.body.rows.map((r) => [r.line, r.error])).toEqual([
      [2, undefined],
      [
        3,
        'clinicalFunction "toaster" is not one of life-sustaining, therapeutic, diagnostic, monitoring, clinical-support, non-clinical; ephi "maybe" is not yes or no',
      ],
      [4, 'no device "nobody"'],
    ])
    // nothing half-applied: the good first row did not land either
    expect((await one(a, d0)).clinicalFunction).toBeNull()
    expect((await a.get<DeviceContextView>(`/api/v1/devices/${d0}/context`)).body.sources.location).toBe(
      'unknown',
    )

    const applied = await a.post<ContextImportResult>('/api/v1/devices/context/import', {
      csv: good,
      mapping,
      dryRun: false,
    })
    expect(applied.body).toMatchObject({ applied: true, errors: 0, redecided: 2 })
    expect((await one(a, d0)).clinicalFunction).toBe('life-sustaining')
    expect((await one(a, d1)).clinicalFunction).toBe('monitoring')
    // a mapping naming a column the file lacks is one clear error
    const missing = await a.post<ContextImportResult>('/api/v1/devices/context/import', {
      csv: good,
      mapping: { ...mapping, owner: 'Custodian' },
    })
    expect(missing.body.rows).toEqual([
      {
        line: 1,
        key: '',
        deviceId: null,
        context: {},
        error: 'the header has no column for owner → "Custodian"',
      },
    ])
  })
})

describe('SSVC recomputation is incremental', () => {
  it('a context change re-decides only that model’s findings and correlates nothing', async () => {
    const { hub, a, devices } = await fleet(3)
    // one device becomes another model: the model default must not reach it
    const other = devices[2] as string
    const rec = hub.app.hub.registry.get(other)
    expect(rec?.identity).toBeDefined()
    await a.patch(`/api/v1/devices/${other}`, { context: { clinicalFunction: 'diagnostic' } })
    const s0 = (await a.get<Stats>('/api/v1/correlation/stats')).body
    await a.put('/api/v1/device-models/context', {
      vendor: 'Acme Medical',
      model: 'GW-100',
      context: { exposure: 'small' },
    })
    const s1 = (await a.get<Stats>('/api/v1/correlation/stats')).body
    expect(s1.correlations).toBe(s0.correlations)
    // all three are GW-100 devices: three findings decided again, no more
    expect(s1.decisions - s0.decisions).toBe(3)
    await a.patch(`/api/v1/devices/${devices[0]}`, { context: { safetyImpact: 'marginal' } })
    const s2 = (await a.get<Stats>('/api/v1/correlation/stats')).body
    expect(s2.correlations).toBe(s0.correlations)
    expect(s2.decisions - s1.decisions).toBe(1)
    // reading the register decides nothing again
    await findingsOf(a, '')
    expect((await a.get<Stats>('/api/v1/correlation/stats')).body.decisions).toBe(s2.decisions)
  })

  it('a new advisory decides only its own findings; the devices’ other findings keep their decision', async () => {
    const { a, devices } = await fleet(2)
    const d0 = devices[0] as string
    const first = await one(a, d0)
    const s0 = (await a.get<Stats>('/api/v1/correlation/stats')).body
    // another advisory about the same package: one new finding on each device (same shared image)
    const copy = { ...DLA_3012, id: 'DLA-9999-1', modified: '2099-01-01T00:00:00Z' }
    expect((await a.post('/api/v1/advisories', copy)).status).toBe(201)
    const after = await waitFindings(a, d0, (fs) => fs.length === 2, 'second finding')
    const s1 = (await a.get<Stats>('/api/v1/correlation/stats')).body
    expect(s1.correlations - s0.correlations).toBe(1)
    // two new findings (one per device) decided, the two held ones not again
    expect(s1.decisions - s0.decisions).toBe(2)
    expect(after.find((f) => f.id === first.id)?.ssvc).toEqual(first.ssvc)
    expect(after.find((f) => f.advisory === 'DLA-9999-1')?.ssvc?.outcome).toBe(first.ssvc?.outcome)
    await findingsOf(a, '')
    expect((await a.get<Stats>('/api/v1/correlation/stats')).body.decisions).toBe(s1.decisions)
  })

  it('a KEV import re-decides the findings of that CVE (exploitation → active); an unrelated CVE touches nothing', async () => {
    const { a, devices } = await fleet(2)
    const d0 = devices[0] as string
    const s0 = (await a.get<Stats>('/api/v1/correlation/stats')).body
    expect((await a.post('/api/v1/advisories', KEV('CVE-1999-0001', '2026.11.27'))).status).toBe(201)
    const s1 = (await a.get<Stats>('/api/v1/correlation/stats')).body
    expect(s1.correlations).toBe(s0.correlations)
    expect(s1.decisions).toBe(s0.decisions)
    expect((await one(a, d0)).ssvc?.exploitation.value).toBe('none')
    expect((await a.post('/api/v1/advisories', KEV('CVE-2022-29824', '2026.11.28'))).status).toBe(201)
    const s2 = (await a.get<Stats>('/api/v1/correlation/stats')).body
    // both devices share one inventory image: one target correlated again, two findings decided again
    expect(s2.correlations - s1.correlations).toBe(1)
    await findingsOf(a, '')
    expect((await a.get<Stats>('/api/v1/correlation/stats')).body.decisions - s1.decisions).toBe(2)
    const f = await one(a, d0)
    expect(f.ssvc).toMatchObject({
      outcome: 'immediate',
      exploitation: { value: 'active', source: 'CISA KEV (added 2026-11-01)' },
    })
  })

  it('a revised advisory (a CVSS vector added) re-decides its findings: Automatable follows the vector', async () => {
    const { a, devices } = await fleet(2)
    const d0 = devices[0] as string
    expect((await one(a, d0)).ssvc?.automatable.value).toBe('yes')
    const s0 = (await a.get<Stats>('/api/v1/correlation/stats')).body
    const vector = 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H'
    const revised = {
      ...DLA_3012,
      modified: '2099-01-01T00:00:00Z',
      severity: [{ type: 'CVSS_V3', score: vector }],
    }
    expect((await a.post('/api/v1/advisories', revised)).status).toBe(201)
    const s1 = (await a.get<Stats>('/api/v1/correlation/stats')).body
    // one shared image target correlated again; its two findings decided again
    expect(s1.correlations - s0.correlations).toBe(1)
    await findingsOf(a, '')
    expect((await a.get<Stats>('/api/v1/correlation/stats')).body.decisions - s0.decisions).toBe(2)
    expect((await one(a, d0)).ssvc?.automatable).toEqual({ value: 'no', source: `CVSS ${vector}` })
  })

  it('an EPSS score ≥ 0.5 makes exploitation public PoC', async () => {
    const { a, devices } = await fleet(1)
    const csv =
      '#model_version:v2025.03.14,score_date:2026-11-28T00:00:00+0000\ncve,epss,percentile\nCVE-2022-29824,0.61,0.98\n'
    const up = await a.post('/api/v1/advisories/import', {
      files: [{ name: 'epss_scores-2026-11-28.csv', data: Buffer.from(csv).toString('base64') }],
    })
    expect(up.status, JSON.stringify(up.body)).toBe(200)
    const f = await one(a, devices[0] as string)
    expect(f.epss).toBe(0.61)
    expect(f.ssvc?.exploitation).toEqual({ value: 'public poc', source: 'EPSS 0.61 ≥ 0.5' })
  })
})

describe('overrides', () => {
  it('an override is audited, shown as its source, survives re-correlation and a restart, and can be cleared', async () => {
    const dir = await tempDir()
    const first = await fleet(1, dir)
    const d0 = first.devices[0] as string
    const f = await one(first.a, d0)
    const refused = await first.a.post(`/api/v1/findings/${f.id}/ssvc-override`, {
      point: 'exposure',
      value: 'internet',
      justification: 'x',
    })
    expect(refused.status).toBe(400)
    const set = await first.a.post<FindingView>(`/api/v1/findings/${f.id}/ssvc-override`, {
      point: 'exposure',
      value: 'small',
      justification: 'behind the clinical VLAN firewall, ticket 4411',
    })
    expect(set.status).toBe(200)
    expect(set.body.ssvc?.exposure).toMatchObject({
      value: 'small',
      source: 'override by admin: behind the clinical VLAN firewall, ticket 4411',
      overridden: { by: 'admin', justification: 'behind the clinical VLAN firewall, ticket 4411' },
    })
    const audit = await first.a.get<{ entries: { action: string; target?: string; detail?: string }[] }>(
      '/api/v1/audit?limit=50',
    )
    expect(audit.body.entries.find((e) => e.action === 'finding.ssvc-override')).toMatchObject({
      target: f.id,
      detail: 'exposure = small: behind the clinical VLAN firewall, ticket 4411',
    })
    // re-correlation (a KEV import re-correlates the target): the override holds
    await first.a.post('/api/v1/advisories', KEV('CVE-2022-29824', '2026.11.28'))
    const after = await one(first.a, d0)
    expect(after.ssvc?.exploitation.value).toBe('active')
    expect(after.ssvc?.exposure.value).toBe('small')
    await first.hub.close()

    const again = await testHub({}, dir)
    const a = await api(again)
    const restarted = await one(a, d0)
    expect(restarted.ssvc?.exposure).toMatchObject({ value: 'small', overridden: { by: 'admin' } })
    const cleared = await a.post<FindingView>(`/api/v1/findings/${f.id}/ssvc-override`, {
      point: 'exposure',
      value: null,
      justification: 'firewall rule removed',
    })
    expect(cleared.body.ssvc?.exposure.value).toBe('open')
    expect(cleared.body.ssvc?.exposure.overridden).toBeUndefined()
  })
})
