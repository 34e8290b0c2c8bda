/**
 * Issue 13 points 4 and 5 with two real hub processes on one real PostgreSQL 15: an operator's change
 * through either hub is never silently overwritten (exactly one 200, one 409 with the current finding
 * and version), a bulk change is all or nothing, every cluster-wide job runs on exactly one hub, `kill
 * -9` of its holder hands it to the other, and the log retention prunes on PostgreSQL.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FindingList, FindingView } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { hasPostgres, hubsOnOneDatabase, PG_BIN } from '../src/postgres.ts'
import type { HubProcess } from '../src/processes.ts'
import { api, heldBy, signIn, startAgent, until } from '../src/system.ts'

const JOBS = [
  'feeds.sync',
  'register.sweep',
  'webhooks.deliver',
  'posture.snapshot',
  'store.retention',
  'rollouts.advance',
  'correlation',
]

/** A Debian package of this machine that is its own source package (advisories name source packages). */
function ownSourcePackage(): { name: string; version: string; release: string } {
  const lines = execFileSync(
    'dpkg-query',
    // dpkg-query's own ${field} syntax, not a template.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format
    ['-W', '-f', '${Package} ${Version} ${source:Package} ${source:Version}\n'],
    {
      encoding: 'utf8',
    },
  ).split('\n')
  const line = lines.map((l) => l.split(' ')).find(([n, v, sn, sv]) => n && n === sn && v === sv)
  if (!line) throw new Error('no Debian package that is its own source package on this machine')
  const release = /^VERSION_ID="?(\d+)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? ''
  return { name: line[0] as string, version: line[1] as string, release }
}

describe.skipIf(!hasPostgres)('two hubs, one PostgreSQL: no lost update, work done once', () => {
  it('409 across hubs, bulk all or nothing, jobs once with takeover after kill -9, retention', async () => {
    const { url, start } = await hubsOnOneDatabase({
      VIGIL_JOB_LEASE_MS: '300',
      VIGIL_AUDIT_RETENTION_SEGMENTS: '1',
      VIGIL_AUDIT_SEGMENT_BYTES: '8192',
      VIGIL_LOG_RETENTION_INTERVAL_SEC: '1',
    })
    const a: HubProcess = await start()
    const tokenA = await signIn(a)
    expect(await heldBy(a, tokenA)).toEqual([...JOBS].sort())

    // A finding on hub A: a real agent's inventory and an advisory against one of its packages.
    const agent = await startAgent(a as never, tokenA, { name: 'cluster-ops' })
    const pkg = ownSourcePackage()
    const advisory = {
      schema_version: '1.6.0',
      id: 'x_VIGIL-OPS-1',
      modified: '2026-11-28T00:00:00Z',
      published: '2026-11-28T00:00:00Z',
      aliases: ['CVE-2099-0101'],
      summary: `${pkg.name} - test advisory`,
      affected: [
        {
          package: { ecosystem: `Debian:${pkg.release}`, name: pkg.name },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `${pkg.version}+vigil1` }] }],
        },
      ],
    }
    const up = await api(a, '/api/v1/advisories', {
      method: 'POST',
      token: tokenA,
      body: JSON.stringify(advisory),
    })
    expect(up.status, JSON.stringify(up.body)).toBe(201)
    const finding = await until('the finding on hub A', async () => {
      const res = await api<FindingList>(a, `/api/v1/findings?device=${agent.deviceId}`, { token: tokenA })
      return res.body.findings[0]
    })
    expect(finding.version).toBeGreaterThanOrEqual(1)

    // Hub B starts on the same database: it holds no job while A runs, and shows the same finding.
    const b = await start()
    const tokenB = await signIn(b)
    const onB = await api<FindingView>(b, `/api/v1/findings/${finding.id}`, { token: tokenB })
    expect(onB.body).toMatchObject({ id: finding.id, state: 'open', version: finding.version })
    expect(await heldBy(b, tokenB)).toEqual([])

    // Two operators, one on each hub, change the finding they both see at `version`, at once.
    const version = finding.version as number
    const decide = (hub: HubProcess, token: string, body: object, v = version) =>
      api<{
        state?: string
        version?: number
        error?: { code: string }
        current?: { id: string; version: number; view: FindingView }[]
      }>(hub, `/api/v1/findings/${finding.id}/transition`, {
        method: 'POST',
        token,
        headers: { 'if-match': `"${v}"` },
        body: JSON.stringify(body),
      })
    const [ra, rb] = await Promise.all([
      decide(a, tokenA, { state: 'in_progress', owner: 'team-a', why: 'patching (A)' }),
      decide(b, tokenB, { state: 'mitigated', control: 'VLAN 40', owner: 'team-b', why: 'segmented (B)' }),
    ])
    const statuses = [ra.status, rb.status].sort()
    expect(statuses, JSON.stringify([ra.body, rb.body])).toEqual([200, 409])
    const [won, lost] = ra.status === 200 ? [ra, rb] : [rb, ra]
    expect(won.body.version).toBe(version + 1)
    expect(lost.body.error?.code).toBe('VIGIL_CONFLICT')
    expect(lost.body.current).toEqual([
      expect.objectContaining({
        id: finding.id,
        version: version + 1,
        view: expect.objectContaining({ state: won.body.state, version: version + 1 }),
      }),
    ])
    // Exactly one decision in the history (read on the winning hub: another hub's log reads are bounded
    // by the newest row it knows, which the change feed moves, issue 13 point 3).
    const winner = ra.status === 200 ? { hub: a, token: tokenA } : { hub: b, token: tokenB }
    const h = await api<{ history: { to: string }[] }>(winner.hub, `/api/v1/findings/${finding.id}/history`, {
      token: winner.token,
    })
    expect(h.body.history.map((e) => e.to)).toEqual([won.body.state, 'open'])

    // A bulk change from the hub that lost, with the stale version: 409, nothing changed anywhere.
    const loser = ra.status === 200 ? { hub: b, token: tokenB } : { hub: a, token: tokenA }
    const bulk = (versions: Record<string, number>) =>
      api<{ updated?: string[]; current?: unknown[] }>(loser.hub, '/api/v1/findings/bulk', {
        method: 'POST',
        token: loser.token,
        body: JSON.stringify({
          ids: [finding.id],
          transition: { state: 'false_positive', reason: 'backport', why: 'vendor backport' },
          versions,
        }),
      })
    const stale = await bulk({ [finding.id]: version })
    expect(stale.status).toBe(409)
    const still = await api<FindingView>(a, `/api/v1/findings/${finding.id}`, { token: tokenA })
    expect(still.body).toMatchObject({ state: won.body.state, version: version + 1 })
    const fresh = await bulk({ [finding.id]: version + 1 })
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(200)
    expect(fresh.body.updated).toEqual([finding.id])

    // Retention on PostgreSQL: the audit log (1 segment of 8 KiB) is pruned by the job's holder.
    for (let i = 0; i < 40; i++) await signIn(i % 2 ? a : b)
    const auditBytes = () =>
      Number(
        execFileSync(
          join(PG_BIN, 'psql'),
          [
            url,
            '-tAc',
            "SELECT coalesce(sum(octet_length(entry) + 1), 0) FROM vigil_logs WHERE log = 'audit'",
          ],
          { encoding: 'utf8' },
        ).trim(),
      )
    await until('the audit log pruned to its retention', async () =>
      auditBytes() <= 8192 ? true : undefined,
    )
    expect(auditBytes()).toBeGreaterThan(0)

    // kill -9 of the holder: hub B takes every job over.
    a.child.kill('SIGKILL')
    await a.exited
    await until(
      'the takeover',
      async () => ((await heldBy(b, tokenB)).length === JOBS.length ? true : undefined),
      30_000,
    )
    expect(await heldBy(b, tokenB)).toEqual([...JOBS].sort())
  }, 240_000)
})
