/**
 * Issue 5's flow across packages: a real agent reports this machine's dpkg inventory over MQTT; an
 * advisory arrives through the API; the hub correlates only what is affected, opens a finding with an
 * SLA due date, announces the known-exploited one on the dashboard's live feed, and the operator's
 * decision shows up in the register and in the VEX export.
 *
 * The advisories here are test records in the real OSV and KEV formats, written against whatever
 * package this machine has installed (the shared real OSV data covers older Debian releases only).
 */
import type { FeedItem, FindingList, FindingView, Inventory } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { api, dashboardSocket, signIn, startAgent, startTestHub, until, waitFor } from '../src/system.ts'

const DAY = 86_400_000

function osv(id: string, release: string, name: string, fixed: string, cve: string) {
  return {
    schema_version: '1.6.0',
    id,
    modified: '2026-11-28T00:00:00Z',
    published: '2026-11-28T00:00:00Z',
    aliases: [cve],
    summary: `${name} - test advisory`,
    affected: [
      {
        package: { ecosystem: `Debian:${release}`, name },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
      },
    ],
  }
}

describe('register flow: agent inventory → advisory → finding → decision', () => {
  it('finds the affected package of a real agent, none for the fixed one, live KEV feed, decision in VEX', async () => {
    const hub = await startTestHub()
    const token = await signIn(hub)
    const socket = dashboardSocket(hub, token)
    const feed: FeedItem[] = []
    socket.on('feed:item', (item) => feed.push(item))
    const deltas: FindingView[] = []
    socket.on('finding:delta', (delta) => deltas.push(...delta.findings))
    await waitFor((done) => socket.on('fleet:snapshot', () => done(true)), 10_000, 'snapshot')

    const agent = await startAgent(hub, token, { name: 'register-flow' })
    const inventory = await until('the agent inventory', async () => {
      const hash = hub.app.hub.registry.get(agent.deviceId)?.inventoryHash
      return hash ? ((await hub.app.hub.store.inventories.get(hash)) as Inventory | undefined) : undefined
    })
    const release = inventory.os.versionId?.split('.')[0] ?? ''
    // a package that is its own source package, at its own version (advisories name source packages)
    const pkg = inventory.packages.find(
      (p) =>
        p.ecosystem === 'deb' &&
        (p.source === undefined ||
          (p.source.name === p.name && (p.source.version === undefined || p.source.version === p.version))),
    )
    expect(inventory.os.id).toBe('debian')
    if (!pkg) throw new Error('no Debian package that is its own source package on this machine')

    const post = (body: unknown) =>
      api<{ imported?: string[] }>(hub, '/api/v1/advisories', {
        method: 'POST',
        token,
        body: JSON.stringify(body),
      })
    const kev = await post({
      title: 'CISA Catalog of Known Exploited Vulnerabilities',
      catalogVersion: '2026.11.28',
      dateReleased: '2026-11-28T00:00:00.000Z',
      count: 1,
      vulnerabilities: [
        {
          cveID: 'CVE-2099-0001',
          vendorProject: 'test',
          product: pkg.name,
          dateAdded: '2026-11-28',
          dueDate: '2099-01-01',
        },
      ],
    })
    expect(kev.status).toBe(201)
    // fixed after the installed version → affected; fixed AT the installed version → not affected
    const first = await post(
      osv('x_VIGIL-TEST-1', release, pkg.name, `${pkg.version}+vigil1`, 'CVE-2099-0001'),
    )
    expect(first.status, JSON.stringify(first.body)).toBe(201)
    expect((await post(osv('x_VIGIL-TEST-2', release, pkg.name, pkg.version, 'CVE-2099-0002'))).status).toBe(
      201,
    )

    const findings = await until('the finding', async () => {
      const res = await api<FindingList>(hub, `/api/v1/findings?device=${agent.deviceId}`, { token })
      return res.body.findings.length > 0 ? res.body.findings : undefined
    })
    expect(findings.map((f) => f.advisory)).toEqual(['x_VIGIL-TEST-1'])
    const [f] = findings
    expect(f).toMatchObject({
      cve: 'CVE-2099-0001',
      kev: true,
      state: 'open',
      component: { name: pkg.name, version: pkg.version },
      deviceName: 'register-flow',
    })
    // KEV → SSVC exploitation active; no clinical context (cautious: open, catastrophic) → immediate:
    // 48 hours come before the KEV rule's 14 days (issue 17: the earlier date wins)
    expect(f?.ssvc?.outcome).toBe('immediate')
    expect(Date.parse(f?.dueDate ?? '')).toBe(Date.parse(f?.firstSeen ?? '') + 2 * DAY)
    const item = await until('the live feed item', async () => feed.find((i) => i.kind === 'finding'))
    expect(item).toMatchObject({
      deviceId: agent.deviceId,
      message: expect.stringContaining('known-exploited'),
    })

    // the register's changes reach dashboards live, and the device page lists the finding
    const live = await until('the finding in a finding:delta', async () => deltas.find((d) => d.id === f?.id))
    expect(live).toMatchObject({ advisory: 'x_VIGIL-TEST-1', state: 'open' })
    const detail = await api<{ findings: FindingView[] }>(hub, `/api/v1/devices/${agent.deviceId}`, { token })
    expect(detail.body.findings.map((x) => x.id)).toEqual([f?.id])

    const accepted = await api<FindingView>(hub, `/api/v1/findings/${f?.id}/transition`, {
      method: 'POST',
      token,
      body: JSON.stringify({
        state: 'accepted',
        why: 'vendor update scheduled',
        justification: 'device on an isolated VLAN',
        approver: 'CISO',
        expiresAt: new Date(Date.now() + 30 * DAY).toISOString(),
      }),
    })
    expect(accepted.status).toBe(200)
    expect(accepted.body.state).toBe('accepted')
    await until('the decision live', async () => deltas.find((d) => d.id === f?.id && d.state === 'accepted'))
    const vex = await api<{
      vulnerabilities: { id: string; analysis: { state: string; response?: string[] } }[]
    }>(hub, '/api/v1/vex', { token })
    expect(vex.body.vulnerabilities).toEqual([
      expect.objectContaining({
        id: 'CVE-2099-0001',
        analysis: expect.objectContaining({ state: 'exploitable', response: ['will_not_fix'] }),
      }),
    ])
    const sbom = await api<{ bomFormat: string }>(hub, `/api/v1/devices/${agent.deviceId}/sbom`, { token })
    expect(sbom.body.bomFormat).toBe('CycloneDX')
  })
})
