/**
 * Issue 13 point 5, correlation: with two real hub processes on one real PostgreSQL 15, a new advisory
 * is correlated once across the cluster against every device, whichever hub stored the advisory and
 * whichever ingested the devices' inventories: each finding is created once, has one `found` history
 * entry and one `finding.new` webhook delivery (a local HTTP receiver counts them), and both hubs list
 * it. `kill -9` of the hub that writes correlation's results hands the job to the other, whose
 * takeover (a reconcile of every device) duplicates nothing, and which then correlates the next one.
 * A dashboard on the hub that does not correlate is told live (`finding:delta`) of the findings the
 * holder creates and of transitions made through the holder (issue 13 point 3).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DeviceDetail, FindingList, FindingView } from '@vigil/protocol'
import { describe, expect, it, onTestFinished } from 'vitest'
import { hasPostgres, hubsOnOneDatabase } from '../src/postgres.ts'
import type { HubProcess } from '../src/processes.ts'
import { api, dashboardSocket, type HubAddress, heldBy, signIn, startAgent, until } from '../src/system.ts'

/** A Debian package of this machine that is its own source package (advisories name source packages). */
function ownSourcePackage(): { name: string; version: string; release: string } {
  const lines = execFileSync(
    'dpkg-query',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format
    ['-W', '-f', '${Package} ${Version} ${source:Package} ${source:Version}\n'],
    { encoding: 'utf8' },
  ).split('\n')
  const line = lines.map((l) => l.split(' ')).find(([n, v, sn, sv]) => n && n === sn && v === sv)
  if (!line) throw new Error('no Debian package that is its own source package on this machine')
  const release = /^VERSION_ID="?(\d+)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? ''
  return { name: line[0] as string, version: line[1] as string, release }
}

function osv(id: string, cve: string) {
  const pkg = ownSourcePackage()
  return {
    schema_version: '1.6.0',
    id,
    modified: '2026-11-28T00:00:00Z',
    published: '2026-11-28T00:00:00Z',
    aliases: [cve],
    summary: `${pkg.name} - cluster correlation test`,
    affected: [
      {
        package: { ecosystem: `Debian:${pkg.release}`, name: pkg.name },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `${pkg.version}+vigil1` }] }],
      },
    ],
  }
}

/** A webhook endpoint on 127.0.0.1 that counts `finding.new` deliveries by finding id. */
async function receiver() {
  const counts = new Map<string, number>()
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString()
    })
    req.on('end', () => {
      const msg = JSON.parse(body) as { event: string; data: { finding: { id: string } } }
      if (msg.event === 'finding.new')
        counts.set(msg.data.finding.id, (counts.get(msg.data.finding.id) ?? 0) + 1)
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, counts }
}

describe.skipIf(!hasPostgres)('two hubs, one PostgreSQL: a new advisory is correlated once', () => {
  it('upload on B, inventories through A: findings, history and webhooks once; takeover after kill -9', async () => {
    const { start } = await hubsOnOneDatabase({ VIGIL_JOB_LEASE_MS: '300' })
    const a: HubProcess = await start()
    const tokenA = await signIn(a)
    const b: HubProcess = await start()
    const tokenB = await signIn(b)
    // A started first: it writes correlation's results; B does not.
    expect(await heldBy(a, tokenA)).toContain('correlation')
    expect(await heldBy(b, tokenB)).toEqual([])

    const hook = await receiver()
    const created = await api(a, '/api/v1/webhooks', {
      method: 'POST',
      token: tokenA,
      body: JSON.stringify({ url: hook.url, events: ['finding.new'] }),
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)

    // Two devices report their inventories to hub A (after B started: B learns them from the feed).
    const agents = [
      await startAgent(a as never, tokenA, { name: 'corr-1' }),
      await startAgent(a as never, tokenA, { name: 'corr-2' }),
    ]
    for (const agent of agents)
      await until('the inventory on hub B', async () => {
        const res = await api<DeviceDetail>(b, `/api/v1/devices/${agent.deviceId}`, { token: tokenB })
        return res.body.inventory ? true : undefined
      })

    const findingsOf = async (hub: HubAddress, token: string, deviceId: string, advisory: string) =>
      (await api<FindingList>(hub, `/api/v1/findings?device=${deviceId}`, { token })).body.findings.filter(
        (f) => f.advisory === advisory,
      )
    /** Every finding of `advisory`, once both hubs list one per device. */
    const settled = (advisory: string) =>
      until(`the findings of ${advisory} on the hubs`, async () => {
        const out = []
        for (const [hub, token] of [
          [a, tokenA],
          [b, tokenB],
        ] as const) {
          if (hub.child.exitCode !== null || hub.child.signalCode !== null) continue
          for (const agent of agents) {
            const list = await findingsOf(hub, token, agent.deviceId, advisory)
            if (list.length !== 1) return undefined
            if (hub === b) out.push(list[0] as (typeof list)[number])
          }
        }
        return out
      })
    const foundEntries = async (hub: HubAddress, token: string, id: string) =>
      (
        await api<{ history: { from: string | null; to: string }[] }>(hub, `/api/v1/findings/${id}/history`, {
          token,
        })
      ).body.history.filter((h) => h.from === null && h.to === 'open').length

    // The advisory is uploaded on B, which does not hold the job: A correlates it against both devices.
    const up = await api(b, '/api/v1/advisories', {
      method: 'POST',
      token: tokenB,
      body: JSON.stringify(osv('x_VIGIL-CC-1', 'CVE-2099-0201')),
    })
    expect(up.status, JSON.stringify(up.body)).toBe(201)
    const first = await settled('x_VIGIL-CC-1')
    expect(first).toHaveLength(2)
    for (const f of first) {
      expect(f.component.version).not.toBe('') // B derives the finding's content itself
      expect(await foundEntries(b, tokenB, f.id)).toBe(1)
    }
    await until('one webhook delivery per finding', async () =>
      first.every((f) => hook.counts.get(f.id) === 1) ? true : undefined,
    )

    // kill -9 of the holder: B takes correlation over, reconciles every device, duplicates nothing.
    a.child.kill('SIGKILL')
    await a.exited
    await until(
      'the takeover',
      async () => ((await heldBy(b, tokenB)).includes('correlation') ? true : undefined),
      30_000,
    )

    // The next advisory (uploaded on B, now the holder) is correlated against the devices of A.
    const up2 = await api(b, '/api/v1/advisories', {
      method: 'POST',
      token: tokenB,
      body: JSON.stringify(osv('x_VIGIL-CC-2', 'CVE-2099-0202')),
    })
    expect(up2.status, JSON.stringify(up2.body)).toBe(201)
    const second = await settled('x_VIGIL-CC-2')
    expect(second).toHaveLength(2)
    await until('the deliveries of the second advisory', async () =>
      [...first, ...second].every((f) => hook.counts.get(f.id) !== undefined) ? true : undefined,
    )
    for (const f of [...first, ...second]) {
      expect(await foundEntries(b, tokenB, f.id)).toBe(1)
      expect(hook.counts.get(f.id)).toBe(1)
    }
    expect(await findingsOf(b, tokenB, agents[0]?.deviceId as string, 'x_VIGIL-CC-1')).toHaveLength(1)
  }, 240_000)

  it('a dashboard on the hub that does not correlate gets finding:delta for what the holder wrote', async () => {
    const { start } = await hubsOnOneDatabase()
    const a: HubProcess = await start()
    const token = await signIn(a)
    const b: HubProcess = await start()
    expect(await heldBy(a, token)).toContain('correlation')
    expect(await heldBy(b, token)).toEqual([])

    // Dashboards on both hubs, every finding:delta kept.
    const seen = { a: [] as FindingView[][], b: [] as FindingView[][] }
    for (const [hub, list] of [
      [a, seen.a],
      [b, seen.b],
    ] as const) {
      const socket = dashboardSocket(hub, token)
      socket.on('finding:delta', (delta) => list.push(delta.findings))
      await until('a dashboard connected', () => socket.connected)
    }
    const agent = await startAgent(a as never, token, { name: 'live-1' })
    await until('the inventory on hub B', async () => {
      const res = await api<DeviceDetail>(b, `/api/v1/devices/${agent.deviceId}`, { token })
      return res.body.inventory ? true : undefined
    })

    // Uploaded through A, the holder: A creates the finding; B's dashboard is told live.
    const up = await api(a, '/api/v1/advisories', {
      method: 'POST',
      token,
      body: JSON.stringify(osv('x_VIGIL-LIVE-1', 'CVE-2099-0301')),
    })
    expect(up.status, JSON.stringify(up.body)).toBe(201)
    const inDeltas = (lists: FindingView[][], pick: (f: FindingView) => boolean) =>
      lists.flat().filter((f) => f.advisory === 'x_VIGIL-LIVE-1' && pick(f))
    const created = await until(
      "the new finding in a finding:delta on B's dashboard",
      () => inDeltas(seen.b, (f) => f.state === 'open')[0],
    )
    expect(created.deviceId).toBe(agent.deviceId)

    // A transition made through A reaches B's dashboard too.
    const moved = await api<FindingView>(a, `/api/v1/findings/${created.id}/transition`, {
      method: 'POST',
      token,
      body: JSON.stringify({ state: 'in_progress', why: 'patch scheduled' }),
    })
    expect(moved.status, JSON.stringify(moved.body)).toBe(200)
    await until(
      "the transition in a finding:delta on B's dashboard",
      () => inDeltas(seen.b, (f) => f.id === created.id && f.state === 'in_progress')[0],
    )
    // The hub that made each change told its own dashboard of it once (the feed does not echo it back).
    await until(
      "the transition on A's dashboard",
      () => inDeltas(seen.a, (f) => f.id === created.id && f.state === 'in_progress')[0],
    )
    expect(inDeltas(seen.a, (f) => f.id === created.id && f.state === 'in_progress')).toHaveLength(1)
  }, 120_000)
})
