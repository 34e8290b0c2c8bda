import type { FindingHistoryEntry, FindingView } from '@vigil/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminToken, tempDir, testHub } from '../../helpers.ts'
import {
  api,
  DLA_3012,
  findingsOf,
  gateway,
  inventory,
  PATCHED,
  VULNERABLE,
  waitFindings,
} from './fixtures.ts'

const DAY = 86_400_000

afterEach(() => {
  vi.useRealTimers()
})

async function setup(dataDir?: string) {
  const hub = await testHub({}, dataDir)
  const a = await api(hub)
  const up = await a.post('/api/v1/advisories', DLA_3012)
  expect(up.status, JSON.stringify(up.body)).toBe(201)
  return { hub, a }
}

describe('findings from a real inventory over MQTT', () => {
  it('a vulnerable Debian package gets a finding; the patched version none (no false positive)', async () => {
    const { hub, a } = await setup()
    const events: string[] = []
    hub.app.riskRegister?.onEvent((e) => events.push(`${e.type}:${e.view.deviceName}`))
    const vulnerable = await gateway(hub, 'gw-vulnerable')
    const patched = await gateway(hub, 'gw-patched')
    await vulnerable.send(inventory(VULNERABLE))
    await patched.send(inventory(PATCHED))
    const [f] = await waitFindings(a, vulnerable.deviceId, (fs) => fs.length > 0, 'finding')
    expect(f).toMatchObject({
      advisory: 'DLA-3012-1',
      cve: 'CVE-2022-29824',
      deviceName: 'gw-vulnerable',
      component: { name: 'libxml2', version: VULNERABLE },
      fixed: PATCHED,
      confidence: 'exact',
      state: 'open',
      owner: null,
      overdue: false,
    })
    expect(await findingsOf(a, `device=${patched.deviceId}`)).toEqual([])
    // other hub parts (device page, live stream) see the same through app.riskRegister
    expect(hub.app.riskRegister?.findingsOf(vulnerable.deviceId).map((x) => x.id)).toEqual([f?.id])
    expect(events).toEqual(['finding.new:gw-vulnerable'])
    // the due date follows the SLA for its SSVC decision (issue 17): no context set (exposure unknown →
    // open, safety unknown → catastrophic), no exploitation known, no CVSS vector (automatable → yes)
    expect(f?.ssvc).toMatchObject({
      outcome: 'out-of-cycle',
      exploitation: { value: 'none' },
      exposure: { value: 'open', source: 'unknown, treated as open (cautious)' },
      automatable: { value: 'yes' },
      humanImpact: { value: 'very high' },
    })
    const sla = (await a.get<{ ssvc: { outOfCycleDays: number } }>('/api/v1/register/sla')).body
    const due = Date.parse(f?.firstSeen ?? '') + sla.ssvc.outOfCycleDays * DAY
    expect(f?.dueDate).toBe(new Date(due).toISOString())
    // advisory detail names the device and the matched range
    const detail = await a.get<{ devices: { deviceId: string; affected: string; installed: string }[] }>(
      '/api/v1/advisories/DLA-3012-1',
    )
    expect(detail.body.devices).toEqual([
      expect.objectContaining({
        deviceId: vulnerable.deviceId,
        installed: VULNERABLE,
        affected: expect.stringContaining(PATCHED),
      }),
    ])
  })

  it('identical gateway images are correlated once', async () => {
    const { hub, a } = await setup()
    const before = (await a.get<{ correlations: number }>('/api/v1/correlation/stats')).body.correlations
    const one = await gateway(hub, 'gw-a')
    const two = await gateway(hub, 'gw-b')
    await one.send(inventory(VULNERABLE))
    await two.send(inventory(VULNERABLE))
    await waitFindings(a, two.deviceId, (fs) => fs.length === 1, 'second device finding')
    const after = (await a.get<{ correlations: number }>('/api/v1/correlation/stats')).body.correlations
    expect(after - before).toBe(1)
    expect(await findingsOf(a, `advisory=DLA-3012-1`)).toHaveLength(2)
  })
})

describe('transitions', () => {
  it('records owner, in_progress, mitigation (control required), history and audit', async () => {
    const { hub, a } = await setup()
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    const [f] = await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    const id = f?.id ?? ''
    const t1 = await a.post<FindingView>(`/api/v1/findings/${id}/transition`, {
      state: 'in_progress',
      owner: 'biomed-team',
      why: 'scheduling the update',
    })
    expect(t1.status).toBe(200)
    expect(t1.body).toMatchObject({ state: 'in_progress', owner: 'biomed-team', decision: { by: 'admin' } })
    const bad = await a.post<{ error: { message: string } }>(`/api/v1/findings/${id}/transition`, {
      state: 'mitigated',
      why: 'segmented',
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/control/)
    const manualResolve = await a.post(`/api/v1/findings/${id}/transition`, { state: 'resolved', why: 'x' })
    expect(manualResolve.status).toBe(400)
    const t2 = await a.post<FindingView>(`/api/v1/findings/${id}/transition`, {
      state: 'mitigated',
      why: 'segmented',
      control: 'VLAN 40, no inbound',
    })
    expect(t2.body.state).toBe('mitigated')
    expect(await findingsOf(a, 'owner=biomed-team&state=mitigated')).toHaveLength(1)
    expect(await findingsOf(a, 'state=open')).toHaveLength(0)
    const history = (await a.get<{ history: FindingHistoryEntry[] }>(`/api/v1/findings/${id}/history`)).body
      .history
    expect(history.map((h) => `${h.from}>${h.to}:${h.actor}`)).toEqual([
      'in_progress>mitigated:admin',
      'open>in_progress:admin',
      'null>open:system',
    ])
    const audit = await hub.app.hub.store.audit.read({ filter: (e) => e.action === 'finding.transition' })
    expect(audit.map((e) => e.detail)).toEqual([
      'in_progress → mitigated: segmented',
      'open → in_progress: scheduling the update',
    ])
  })

  it('bulk transition is all or nothing: a refusal leaves every finding unchanged', async () => {
    const { hub, a } = await setup()
    const one = await gateway(hub, 'gw-a')
    const two = await gateway(hub, 'gw-b')
    await one.send(inventory(VULNERABLE))
    await two.send(inventory(VULNERABLE))
    const all = await until2(a)
    const transition = { state: 'false_positive', why: 'backported', reason: 'patched by vendor backport' }
    type Bulk = { updated: string[]; failed: { id: string; code: string }[] }
    const refused = await a.post<Bulk>('/api/v1/findings/bulk', {
      ids: [...all.map((f) => f.id), 'nope'],
      transition,
    })
    expect(refused.status).toBe(200)
    expect(refused.body).toEqual({
      updated: [],
      failed: [expect.objectContaining({ id: 'nope', code: 'VIGIL_NOT_FOUND' })],
    })
    expect(await findingsOf(a, 'state=false_positive')).toHaveLength(0)
    const res = await a.post<Bulk>('/api/v1/findings/bulk', { ids: all.map((f) => f.id), transition })
    expect(res.status).toBe(200)
    expect(res.body.updated.sort()).toEqual(all.map((f) => f.id).sort())
    expect(res.body.failed).toEqual([])
    expect(await findingsOf(a, 'state=false_positive')).toHaveLength(2)
  })

  it('an acceptance needs justification, approver and a future expiry, and reopens itself when it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { hub, a } = await setup()
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    const [f] = await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    const id = f?.id ?? ''
    const missing = await a.post<{ error: { message: string } }>(`/api/v1/findings/${id}/transition`, {
      state: 'accepted',
      why: 'vendor patch pending',
      justification: 'no network exposure',
    })
    expect(missing.status).toBe(400)
    expect(missing.body.error.message).toMatch(/approver/)
    const expiresAt = new Date(Date.now() + 2 * DAY).toISOString()
    const ok = await a.post<FindingView>(`/api/v1/findings/${id}/transition`, {
      state: 'accepted',
      why: 'vendor patch pending',
      justification: 'no network exposure',
      approver: 'CISO',
      expiresAt,
    })
    expect(ok.body).toMatchObject({ state: 'accepted', decision: { approver: 'CISO', expiresAt } })
    vi.setSystemTime(Date.now() + 3 * DAY)
    const b = await api(hub, await adminToken(hub))
    const [reopened] = await findingsOf(b, `device=${gw.deviceId}`)
    expect(reopened?.state).toBe('open')
    const history = (await b.get<{ history: FindingHistoryEntry[] }>(`/api/v1/findings/${id}/history`)).body
      .history
    expect(history[0]).toMatchObject({
      from: 'accepted',
      to: 'open',
      actor: 'system',
      why: expect.stringMatching(/expired/),
    })
  })
})

async function until2(a: Awaited<ReturnType<typeof api>>): Promise<FindingView[]> {
  for (let i = 0; i < 200; i++) {
    const fs = await findingsOf(a, 'advisory=DLA-3012-1')
    if (fs.length === 2) return fs
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('two findings expected')
}

describe('automatic resolution', () => {
  it('resolves when the fixed version is observed and reopens on downgrade', async () => {
    const { hub, a } = await setup()
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    const [f] = await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    await gw.send(inventory(PATCHED))
    const [resolved] = await waitFindings(a, gw.deviceId, (fs) => fs[0]?.state === 'resolved', 'resolved')
    expect(resolved).toMatchObject({
      id: f?.id,
      decision: { by: 'system', why: `fixed version observed: libxml2 ${PATCHED}` },
    })
    expect(resolved?.resolvedAt).not.toBeNull()
    await gw.send(inventory(VULNERABLE))
    const [back] = await waitFindings(a, gw.deviceId, (fs) => fs[0]?.state === 'open', 'reopened')
    expect(back).toMatchObject({ id: f?.id, firstSeen: f?.firstSeen, resolvedAt: null })
  })

  it('a withdrawn revision of the advisory resolves its findings', async () => {
    const { hub, a } = await setup()
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    const withdrawn = { ...DLA_3012, modified: '2026-12-01T00:00:00Z', withdrawn: '2026-12-01T00:00:00Z' }
    const res = await a.post<{ updated: string[] }>('/api/v1/advisories', withdrawn)
    expect(res.body.updated).toEqual(['DLA-3012-1'])
    const [f] = await findingsOf(a, `device=${gw.deviceId}`)
    expect(f).toMatchObject({ state: 'resolved', decision: { why: 'advisory DLA-3012-1 withdrawn' } })
    // an older revision is refused as stale and changes nothing
    const stale = await a.post<{ skipped: { reason: string }[] }>('/api/v1/advisories', DLA_3012)
    expect(stale.status).toBe(200)
    expect(stale.body.skipped[0]?.reason).toMatch(/not newer/)
  })
})

describe('device deletion', () => {
  it("a deleted device's findings leave the register and the KPIs", async () => {
    const { hub, a } = await setup()
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    gw.client.end(true)
    const del = await hub.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${gw.deviceId}`,
      headers: { authorization: `Bearer ${a.token}` },
    })
    expect(del.statusCode).toBe(204)
    expect(await findingsOf(a, '')).toEqual([])
    expect((await a.get<{ open: number }>('/api/v1/kpis')).body.open).toBe(0)
  })
})

describe('SLA', () => {
  it('a KEV finding is due by the KEV due date or in 14 days, whichever is sooner; the policy is configurable', async () => {
    const { hub, a } = await setup()
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    const [f] = await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    const seen = Date.parse(f?.firstSeen ?? '')
    // A KEV catalog (real format; this CVE is listed here for the test) with a far due date → 14 days wins.
    const catalog = (dueDate: string) => ({
      title: 'CISA Catalog of Known Exploited Vulnerabilities',
      catalogVersion: '2026.11.28',
      dateReleased: '2026-11-28T00:00:00.000Z',
      count: 1,
      vulnerabilities: [
        {
          cveID: 'CVE-2022-29824',
          vendorProject: 'xmlsoft',
          product: 'libxml2',
          dateAdded: '2026-11-01',
          dueDate,
          knownRansomwareCampaignUse: 'Unknown',
        },
      ],
    })
    expect((await a.post('/api/v1/advisories', catalog('2099-01-01'))).status).toBe(201)
    // KEV → SSVC exploitation active; unknown context → Immediate: 48 hours come before 14 days
    const [immediate] = await findingsOf(a, 'kev=true')
    expect(immediate?.ssvc?.outcome).toBe('immediate')
    expect(immediate?.dueDate).toBe(new Date(seen + 2 * DAY).toISOString())
    // with long SSVC windows the KEV rule speaks: 14 days after first seen (the earlier wins)
    const slow = { immediateHours: 8760, outOfCycleDays: 3650, scheduledDays: 3650 }
    const defaults = (await a.get<Record<string, unknown>>('/api/v1/register/sla')).body
    expect((await a.put('/api/v1/register/sla', { ...defaults, ssvc: slow })).status).toBe(200)
    const [kev] = await findingsOf(a, 'kev=true')
    expect(kev?.dueDate).toBe(new Date(seen + 14 * DAY).toISOString())
    // a sooner KEV due date wins (end of that day, UTC); already past → overdue
    await a.post('/api/v1/advisories', { ...catalog('2020-01-01'), catalogVersion: '2026.11.29' })
    const [past] = await findingsOf(a, 'kev=true')
    expect(past).toMatchObject({
      dueDate: '2020-01-01T23:59:59.999Z',
      overdue: true,
      kevDueDate: '2020-01-01',
    })
    expect(await findingsOf(a, 'overdue=true')).toHaveLength(1)
    const policy = {
      critical: 7,
      high: 14,
      medium: 30,
      low: 60,
      none: 365,
      unknown: 2,
      kevDays: 3,
      ssvc: slow,
    }
    expect((await a.put('/api/v1/register/sla', policy)).status).toBe(200)
    await a.post('/api/v1/advisories', { ...catalog('2099-01-01'), catalogVersion: '2026.11.30' })
    const [after] = await findingsOf(a, 'kev=true')
    expect(after?.dueDate).toBe(new Date(seen + 3 * DAY).toISOString())
    // a deferred finding (SSVC sets no deadline) falls back to its severity's days (the KEV rule still
    // applies): exploitation overridden to none, small exposure, negligible safety, degraded mission → defer
    const ctx = { exposure: 'small', safetyImpact: 'negligible', missionImpact: 'degraded' }
    expect((await a.patch(`/api/v1/devices/${kev?.deviceId}`, { context: ctx })).status).toBe(200)
    const why = { point: 'exploitation', value: 'none', justification: 'test: pretend not exploited' }
    expect((await a.post(`/api/v1/findings/${kev?.id}/ssvc-override`, why)).status).toBe(200)
    const [deferred] = await findingsOf(a, `device=${kev?.deviceId}`)
    expect(deferred?.ssvc?.outcome).toBe('defer')
    expect(deferred?.dueDate).toBe(new Date(seen + 2 * DAY).toISOString())
    expect((await a.put('/api/v1/register/sla', { ...policy, high: 0 })).status).toBe(400)
  })
})

describe('persistence', () => {
  it('decisions and first-seen times survive re-correlation and a hub restart', async () => {
    const dir = await tempDir()
    const first = await setup(dir)
    const gw = await gateway(first.hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    const [f] = await waitFindings(first.a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    await first.a.post(`/api/v1/findings/${f?.id}/transition`, {
      state: 'false_positive',
      why: 'checked',
      reason: 'libxml2 not reachable',
      owner: 'alice',
    })
    // re-correlation: a newer revision of the same advisory
    const revised = await first.a.post<{ updated: string[] }>('/api/v1/advisories', {
      ...DLA_3012,
      modified: '2026-12-01T00:00:00Z',
    })
    expect(revised.body.updated).toEqual(['DLA-3012-1'])
    const [still] = await findingsOf(first.a, `device=${gw.deviceId}`)
    expect(still).toMatchObject({ state: 'false_positive', owner: 'alice', firstSeen: f?.firstSeen })
    gw.client.end(true)
    await first.hub.close()

    const hub = await testHub({}, dir)
    const a = await api(hub)
    const [after] = await findingsOf(a, `device=${gw.deviceId}`)
    expect(after).toMatchObject({
      id: f?.id,
      state: 'false_positive',
      owner: 'alice',
      firstSeen: f?.firstSeen,
      component: { version: VULNERABLE },
      decision: { reason: 'libxml2 not reachable' },
    })
    const history = (await a.get<{ history: FindingHistoryEntry[] }>(`/api/v1/findings/${f?.id}/history`))
      .body.history
    expect(history.map((h) => h.to)).toEqual(['false_positive', 'open'])
  })
})

describe('exports and roles', () => {
  it('CSV and JSON exports carry the filtered register; technicians read, only operators/admins act', async () => {
    const { hub, a } = await setup()
    const gw = await gateway(hub, '=gw1')
    await gw.send(inventory(VULNERABLE))
    const [f] = await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    const csv = await a.get('/api/v1/findings/export?format=csv&state=open')
    expect(csv.headers['content-type']).toMatch(/text\/csv/)
    const lines = csv.text.trim().split('\r\n')
    expect(lines[0]).toMatch(/^id,device_id,device,advisory,cve,component,installed/)
    expect(lines[1]).toContain(`${f?.id},${gw.deviceId},'=gw1,DLA-3012-1,CVE-2022-29824,libxml2`)
    const json = await a.get<{ findings: FindingView[] }>(
      '/api/v1/findings/export?format=json&state=accepted',
    )
    expect(json.body.findings).toEqual([])

    await a.post('/api/v1/users', { username: 'tech', password: 'technician pass 1', role: 'technician' })
    const login = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'tech', password: 'technician pass 1' },
    })
    const tech = await api(hub, login.json<{ token: string }>().token)
    expect((await tech.get('/api/v1/findings')).status).toBe(200)
    const denied = await tech.post(`/api/v1/findings/${f?.id}/transition`, { state: 'in_progress', why: 'x' })
    expect(denied.status).toBe(403)
    expect((await tech.post('/api/v1/advisories', DLA_3012)).status).toBe(403)
  })
})
