import type { DevicePosture, FindingView, FleetKpis } from '@vigil/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { devicePosture } from '../../../src/risk/posture/score.ts'
import type { DeviceRecord } from '../../../src/store/types.ts'
import { adminToken, testHub } from '../../helpers.ts'
import { api, DLA_3012, gateway, inventory, PATCHED, VULNERABLE, waitFindings } from '../register/fixtures.ts'

afterEach(() => {
  vi.useRealTimers()
})

const device: DeviceRecord = {
  id: 'd1',
  name: 'gw',
  secretHash: '',
  disabled: false,
  enrolledAt: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:00:00.000Z',
  online: true,
  inventoryHash: 'i'.repeat(64),
  hardeningHash: 'h'.repeat(64),
}

function finding(over: Partial<FindingView>): FindingView {
  return {
    id: Math.random().toString(36),
    deviceId: 'd1',
    deviceName: 'gw',
    advisory: 'A-1',
    cve: null,
    component: { name: 'x', version: '1', purl: null },
    affected: '<2',
    fixed: '2',
    severity: 'high',
    kev: false,
    confidence: 'exact',
    state: 'open',
    owner: null,
    firstSeen: '2026-01-01T00:00:00.000Z',
    resolvedAt: null,
    dueDate: '2026-02-01T00:00:00.000Z',
    overdue: false,
    decision: null,
    ...over,
  }
}

describe('posture score (documented deductions)', () => {
  const now = new Date('2026-01-02T00:00:00.000Z')

  it('a clean online device scores 100 / A with no reasons', () => {
    expect(devicePosture(device, [], now)).toMatchObject({ score: 100, grade: 'A', reasons: [] })
  })

  it('a device that has not reported its inventory and hardening results is unknown, not A', () => {
    const { inventoryHash: _i, hardeningHash: _h, ...silent } = device
    expect(devicePosture(silent, [], now)).toMatchObject({
      grade: 'unknown',
      reasons: [{ points: 0, reason: 'no inventory and no hardening results reported yet: posture unknown' }],
    })
    const { hardeningHash: _, ...inventoryOnly } = device
    expect(devicePosture(inventoryOnly, [], now)).toMatchObject({
      grade: 'unknown',
      reasons: [{ points: 0, reason: 'no hardening results reported yet: posture unknown' }],
    })
  })

  it('deducts per open finding by severity, KEV, EPSS, overdue, failing checks and offline time, with reasons', () => {
    const p = devicePosture(
      { ...device, failingChecks: 2, online: false, lastSeen: '2025-12-20T00:00:00.000Z' },
      [
        finding({ severity: 'critical', kev: true, overdue: true, epss: 0.9 }),
        finding({ severity: 'medium', state: 'mitigated' }),
        finding({ severity: 'high', state: 'accepted' }),
        finding({ severity: 'high', state: 'false_positive' }),
        finding({ severity: 'critical', state: 'resolved' }),
      ],
      now,
    )
    // 15 (critical) + 1.5 (mitigated medium) + 15 (KEV) + 5 (EPSS) + 5 (overdue) + 6 (checks) + 15 (offline > 7 d)
    expect(p.score).toBe(38)
    expect(p.grade).toBe('F')
    expect(p.reasons.map((r) => r.reason)).toEqual([
      '1 open critical finding(s) × 15',
      '1 mitigated medium finding(s) × 1.5',
      '1 known-exploited (KEV) finding(s) × 15',
      '1 finding(s) with EPSS ≥ 0.5 × 5',
      '1 overdue finding(s) × 5',
      '2 failing hardening check(s) × 3 (at most 30)',
      'offline for more than 7 days',
    ])
  })

  it('never goes below 0', () => {
    const many = Array.from({ length: 20 }, () => finding({ severity: 'critical' }))
    expect(devicePosture(device, many, now).score).toBe(0)
  })
})

describe('KPIs, daily snapshots and the maturity report through the API', () => {
  it('counts open findings, remediation time and SLA, owners, training and groups', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-01T10:00:00.000Z'))
    const hub = await testHub()
    const a = await api(hub)
    await a.post('/api/v1/advisories', DLA_3012)
    const one = await gateway(hub, 'gw-<b>1</b>')
    const two = await gateway(hub, 'gw-2')
    await one.send(inventory(VULNERABLE))
    await two.send(
      inventory(VULNERABLE, [
        { name: 'zlib', version: '1', ecosystem: 'deb', purl: 'pkg:deb/debian/zlib@1' },
      ]),
    )
    const [f1] = await waitFindings(a, one.deviceId, (fs) => fs.length === 1, 'finding 1')
    await waitFindings(a, two.deviceId, (fs) => fs.length === 1, 'finding 2')
    await a.post(`/api/v1/findings/${f1?.id}/transition`, { owner: 'biomed', why: 'assign' })

    let kpis = (await a.get<FleetKpis>('/api/v1/kpis')).body
    expect(kpis).toMatchObject({
      devices: 2,
      devicesOnline: 2,
      open: 2,
      kevOpen: 0,
      overdue: 0,
      ownedPct: 50,
    })
    expect(kpis.openBySeverity.unknown).toBe(2)
    // issue 17: no context → unknown clinical function, cautious decision (out-of-cycle)
    expect(kpis.openByDecision).toEqual({
      immediate: 0,
      'out-of-cycle': 2,
      scheduled: 0,
      defer: 0,
      undecided: 0,
    })
    expect(kpis.openByClinicalFunction).toEqual({ unknown: 2 })
    await a.patch(`/api/v1/devices/${two.deviceId}`, {
      context: { clinicalFunction: 'non-clinical', exposure: 'small' },
    })
    kpis = (await a.get<FleetKpis>('/api/v1/kpis')).body
    // none × small × yes × low → defer
    expect(kpis.openByDecision).toMatchObject({ 'out-of-cycle': 1, defer: 1 })
    expect(kpis.openByClinicalFunction).toEqual({ unknown: 1, 'non-clinical': 1 })
    expect(kpis.meanTimeToRemediateDays).toBeNull()

    // two days later device two is patched: remediated in 2 days, within SLA
    vi.setSystemTime(new Date('2026-11-03T10:00:00.000Z'))
    await two.send(
      inventory(PATCHED, [{ name: 'zlib', version: '1', ecosystem: 'deb', purl: 'pkg:deb/debian/zlib@1' }]),
    )
    const b = await api(hub, await adminToken(hub))
    await waitFindings(b, two.deviceId, (fs) => fs[0]?.state === 'resolved', 'resolved')
    kpis = (await b.get<FleetKpis>('/api/v1/kpis')).body
    expect(kpis).toMatchObject({
      open: 1,
      meanTimeToRemediateDays: 2,
      patchLatencyDays: { p50: 2, p90: 2 },
      remediatedWithinSlaPct: 100,
      ownedPct: 100,
    })
    const history = (await b.get<{ snapshots: { date: string }[] }>('/api/v1/kpis/history')).body.snapshots
    expect(history.map((s) => s.date)).toEqual(['2026-11-03', '2026-11-01'])
    await b.get('/api/v1/kpis')
    expect((await b.get<{ snapshots: unknown[] }>('/api/v1/kpis/history')).body.snapshots).toHaveLength(2)

    const postures = (await b.get<{ devices: DevicePosture[] }>('/api/v1/posture/devices')).body.devices
    // 2 (unknown severity) + 4 (SSVC out-of-cycle)
    expect(postures.map((p) => [p.deviceId, p.score])).toEqual([
      [one.deviceId, 94],
      [two.deviceId, 100],
    ])

    // governance: a group owner, a training record (one current, one user without)
    expect(
      (await b.post('/api/v1/governance/groups', { name: 'ICU', owner: 'biomed', deviceIds: [one.deviceId] }))
        .status,
    ).toBe(201)
    await b.post('/api/v1/users', { username: 'olga', password: 'operator pass 12', role: 'operator' })
    const bad = await b.post<{ error: { message: string } }>('/api/v1/governance/training', {
      username: 'nobody',
      course: 'x',
      completedAt: '2026-10-01',
    })
    expect(bad.body.error.message).toMatch(/username/)
    expect(
      (
        await b.post('/api/v1/governance/training', {
          username: 'admin',
          course: 'HIPAA security awareness',
          completedAt: '2026-10-01',
          expiresAt: '2027-10-01',
        })
      ).status,
    ).toBe(201)
    const report = (
      await b.get<{
        governance: {
          deviceGroups: unknown[]
          devicesWithoutGroupOwner: number
          roleAssignments: Record<string, string[]>
          training: { usersTotal: number; usersWithCurrentTraining: number }
        }
        riskRegister: { byState: Record<string, number> }
        patchingTimeliness: { remediatedWithinSlaPct: number }
      }>('/api/v1/maturity')
    ).body
    expect(report.governance).toMatchObject({
      deviceGroups: [{ name: 'ICU', owner: 'biomed', devices: 1 }],
      devicesWithoutGroupOwner: 1,
      roleAssignments: { admin: ['admin'], operator: ['olga'] },
      training: { usersTotal: 2, usersWithCurrentTraining: 1 },
    })
    expect(report.riskRegister.byState).toEqual({ open: 1, resolved: 1 })
    expect(report.patchingTimeliness.remediatedWithinSlaPct).toBe(100)
    const html = await b.get('/api/v1/maturity.html')
    expect(html.headers['content-type']).toMatch(/text\/html/)
    expect(html.text).toContain('HIPAA security awareness')
    expect(html.text).toContain('Vulnerability management')
    // readable by a person: measures in words, nested values as text, no JSON or camelCase keys
    expect(html.text).toContain('<td>open findings by severity</td>')
    expect(html.text).toContain('<td>open findings by SSVC decision</td>')
    expect(html.text).toMatch(/<td>open findings by clinical function<\/td><td>unknown 1<\/td>/)
    expect(html.text).toContain('immediate (hours) 48, out-of-cycle (days) 14, scheduled (days) 90')
    expect(html.text).not.toContain('[object Object]')
    expect(html.text).toMatch(
      /<td>patch latency \(days\)<\/td><td>median [\d.]+, 90th percentile [\d.]+<\/td>/,
    )
    expect(html.text).not.toMatch(/\{&quot;|openBySeverity|patchLatencyDays|meanPostureScore/)
    const withDevice = await b.post('/api/v1/governance/groups', {
      name: '<script>x</script>',
      owner: 'o',
      deviceIds: [],
    })
    expect(withDevice.status).toBe(201)
    const html2 = (await b.get('/api/v1/maturity.html')).text
    expect(html2).not.toContain('<script>x')
    expect(html2).toContain('&lt;script&gt;x')

    // an accepted risk names its component, so two acceptances on one device and advisory differ
    const accepted = await b.post(`/api/v1/findings/${f1?.id}/transition`, {
      state: 'accepted',
      why: 'vendor update scheduled',
      justification: 'isolated VLAN',
      approver: 'CISO',
      expiresAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
    })
    expect(accepted.status).toBe(200)
    const html3 = (await b.get('/api/v1/maturity.html')).text
    expect(html3).toContain(`<td>${f1?.component.name} ${f1?.component.version}</td><td>${f1?.advisory}</td>`)
  })
})
