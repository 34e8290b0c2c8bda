/**
 * Rollout auto-advance as a cluster-wide job (`rollouts.advance`): two hubs' stores on one real
 * PostgreSQL 15, each with its rollout engine and its job leases. A wave is started by the one hub
 * holding the job, whichever hub handled the devices' reports, and taken over when that hub goes.
 */
import { PROTOCOL_VERSION } from '@vigil/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ManifestRecord, targetId } from '../../src/manifests/db.ts'
import { rolloutHubOn } from '../manifests/rollout-hub.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'
import { until } from '../until.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

const manifest = (): ManifestRecord =>
  ({
    id: 'm1',
    digest: 'd',
    vendorId: 'v',
    payload: { vendor: 'Acme', product: 'IGW', version: '2.0' },
    envelope: { payload: '', payloadType: 'x', signatures: [] },
    keyids: [],
    acceptedAt: 'now',
    acceptedBy: 'admin',
  }) as unknown as ManifestRecord

const installed = (manifestId: string) =>
  ({ v: PROTOCOL_VERSION, ts: new Date().toISOString(), manifestId, state: 'installed' }) as const

describe('rollout auto-advance once per cluster (rollouts.advance)', () => {
  it('starts a wave on the holder only, whichever hub got the reports, and is taken over', async () => {
    const url = await server.createDatabase()
    const a = await rolloutHubOn(url, { leases: true })
    const b = await rolloutHubOn(url, { leases: true })
    expect(a.leases.holds('rollouts.advance')).toBe(true)
    expect(b.leases.holds('rollouts.advance')).toBe(false)
    a.db.manifests.put(manifest())
    const approved = await a.engine.approve(
      a.db.manifests.get('m1') as ManifestRecord,
      [
        { kind: 'canary', devices: ['d1'] },
        { kind: 'percent', percent: 50, devices: ['d2'] },
        { kind: 'percent', percent: 100, devices: ['d3'] },
      ],
      'admin',
      true,
    )
    expect(approved).toMatchObject({ rollout: { wave: 0, status: 'active' } })
    await until(() => b.db.targets.get(targetId('m1', 'd1')) !== undefined, 'the rollout on b')

    // The canary's report lands on b, which does not hold the job: it records it, starts nothing.
    await b.engine.onReport('d1', installed('m1'))
    await b.db.flush()
    expect(b.db.manifests.get('m1')?.rollout?.wave).toBe(0)
    expect(await b.engine.sweep()).toBe(0)
    // The holder sees the report through the change feed; its sweep starts wave 2, once.
    await until(() => a.db.targets.get(targetId('m1', 'd1'))?.state === 'installed', 'the report on a')
    expect(await a.engine.sweep()).toBe(1)
    expect(await a.engine.sweep()).toBe(0)
    await until(() => b.db.manifests.get('m1')?.rollout?.wave === 1, 'wave 2 on b')
    expect(b.audit.filter((x) => x.startsWith('manifest.wave'))).toEqual([])
    expect(a.audit.filter((x) => x.startsWith('manifest.wave'))).toEqual([
      'manifest.wave wave 1/3: 1 device(s)',
      'manifest.wave wave 2/3: 1 device(s)',
    ])

    // a goes (its leases' session closes): b takes the job over and advances on its own reports.
    await a.leases.close()
    await until(() => b.leases.holds('rollouts.advance'), 'the job taken over by b')
    await until(() => b.db.targets.get(targetId('m1', 'd2')) !== undefined, 'wave 2 targets on b')
    await b.engine.onReport('d2', installed('m1'))
    expect(b.db.manifests.get('m1')?.rollout).toMatchObject({ wave: 2, status: 'completed' })
    expect(b.audit.filter((x) => x.startsWith('manifest.wave'))).toEqual([
      'manifest.wave wave 3/3: 1 device(s)',
    ])
  })
})
