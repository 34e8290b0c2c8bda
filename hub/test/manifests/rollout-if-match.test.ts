/**
 * A rollout action with If-Match is one step with its version check (`Store.writeIf`): two operators
 * acting on the same version of a manifest through two hubs (two stores on one real PostgreSQL 15)
 * get one success and one conflict, and only the winner's action is applied. The HTTP side (409 with
 * the current manifest) is in rollout.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ManifestRecord } from '../../src/manifests/db.ts'
import { VersionConflictError } from '../../src/store/conditional.ts'
import { startPostgres, type TestPostgres } from '../postgres.ts'
import { until } from '../until.ts'
import { rolloutHubOn } from './rollout-hub.ts'

let server: TestPostgres

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(() => server?.stop())

describe('rollout action and its If-Match in one step', () => {
  it('answers one of two concurrent actions on the same version through two hubs, the other conflicts', async () => {
    const url = await server.createDatabase()
    const a = await rolloutHubOn(url)
    const b = await rolloutHubOn(url)
    a.db.manifests.put({
      id: 'm1',
      payload: { vendor: 'Acme', product: 'IGW', version: '2.0' },
    } as unknown as ManifestRecord)
    await a.engine.approve(
      a.db.manifests.get('m1') as ManifestRecord,
      [
        { kind: 'canary', devices: ['d1'] },
        { kind: 'percent', percent: 100, devices: ['d2'] },
      ],
      'admin',
    )
    const version = a.db.manifests.versionOf('m1') as number
    await until(() => b.db.manifests.versionOf('m1') === version, 'the rollout on b')

    for (let round = 0; round < 3; round++) {
      const seen = a.db.manifests.versionOf('m1') as number
      const status = a.db.manifests.get('m1')?.rollout?.status
      // a pauses (or resumes), b cancels, both from the version they saw.
      const pause = status !== 'paused'
      const settled = await Promise.allSettled([
        a.act('m1', seen, (m) => a.engine.stagePaused(m, pause, 'alice')),
        round < 2
          ? b.act('m1', seen, (m) => b.engine.stagePaused(m, pause, 'bob'))
          : b.act('m1', seen, (m) => b.engine.stageCancel(m, 'bob')),
      ])
      const ok = settled.filter((s) => s.status === 'fulfilled' && !('ok' in s.value))
      const conflicts = settled.filter(
        (s) => s.status === 'rejected' && s.reason instanceof VersionConflictError,
      )
      expect(ok, JSON.stringify(settled)).toHaveLength(1)
      expect(conflicts).toHaveLength(1)
      const conflict = (conflicts[0] as PromiseRejectedResult).reason as VersionConflictError
      expect(conflict.conflicts[0]).toMatchObject({ id: 'm1', expected: seen, version: seen + 1 })
      // Exactly one action applied: the version rose by one on both hubs.
      await until(
        () => a.db.manifests.versionOf('m1') === seen + 1 && b.db.manifests.versionOf('m1') === seen + 1,
        `the winner on both hubs (round ${round}, seen ${seen}, ${settled.map((s) => s.status).join()} a ${a.db.manifests.versionOf('m1')} b ${b.db.manifests.versionOf('m1')})`,
      )
    }
    const actions = [...a.audit, ...b.audit].filter(
      (x) => !x.startsWith('manifest.approve') && !x.startsWith('manifest.wave'),
    )
    expect(actions).toHaveLength(3)
  })
})
