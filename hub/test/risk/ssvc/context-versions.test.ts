/**
 * Optimistic concurrency on the SSVC decision-point override (If-Match: the finding's version) and the
 * context CSV import (`versions`: device id → version, all or nothing), on a real hub: a stale version
 * is 409 `VIGIL_CONFLICT` with the current record and changes nothing; the current one applies.
 */
import type { ContextImportResult, DeviceContextView, FindingView } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { findingsOf } from '../register/fixtures.ts'
import { fleet } from './fleet.ts'

interface Conflict {
  error: { code: string }
  current: { id: string; version: number | null; view: unknown }[]
}

describe('version checks on SSVC overrides and the context import', () => {
  it('an override with a stale If-Match is 409 with the current finding; with the current one it applies', async () => {
    const { hub, a, devices } = await fleet(1)
    const [f] = await findingsOf(a, `device=${devices[0]}`)
    if (!f?.version) throw new Error('no finding version')
    const first = f.version
    const override = (version: number, value: string) =>
      hub.app.inject({
        method: 'POST',
        url: `/api/v1/findings/${f.id}/ssvc-override`,
        headers: { authorization: `Bearer ${a.token}`, 'if-match': `"${version}"` },
        payload: { point: 'exposure', value, justification: 'behind the VLAN firewall' },
      })
    const set = await override(first, 'small')
    expect(set.statusCode).toBe(200)
    const view = set.json() as FindingView
    expect(view.ssvc?.exposure.value).toBe('small')
    expect(view.version).toBeGreaterThan(first)
    expect(set.headers.etag).toBe(`"${view.version}"`)
    // A second operator who saw the finding before that override:
    const stale = await override(first, 'controlled')
    expect(stale.statusCode).toBe(409)
    const body = stale.json() as Conflict
    expect(body.error.code).toBe('VIGIL_CONFLICT')
    expect(body.current[0]).toMatchObject({ id: f.id, version: view.version })
    expect(body.current[0]?.view).toMatchObject({ ssvc: { exposure: { value: 'small' } } })
    const [now] = await findingsOf(a, `device=${devices[0]}`)
    expect(now?.ssvc?.exposure.value).toBe('small')
    expect(now?.version).toBe(view.version)
  })

  it('a CSV import with a stale device version is 409 and applies no row; with current versions it applies', async () => {
    const { a, devices } = await fleet(2)
    const [d0, d1] = devices as [string, string]
    const version = async (id: string) =>
      (await a.get<{ version: number }>(`/api/v1/devices/${id}`)).body.version
    const csv = 'Asset,Dept\ngw-0,ICU\ngw-1,Ward 3\n'
    const body = (versions: Record<string, number>) => ({
      csv,
      mapping: { device: 'Asset', location: 'Dept' },
      dryRun: false,
      versions,
    })
    const seen = { [d0]: await version(d0), [d1]: await version(d1) }
    // d1 changes meanwhile (renamed by someone else).
    expect((await a.patch(`/api/v1/devices/${d1}`, { name: 'gw-1' })).status).toBe(200)
    const stale = await a.post<Conflict>('/api/v1/devices/context/import', body(seen))
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('VIGIL_CONFLICT')
    expect(stale.body.current).toEqual([
      expect.objectContaining({ id: d1, version: await version(d1), view: expect.objectContaining({}) }),
    ])
    const location = async (id: string) =>
      (await a.get<DeviceContextView>(`/api/v1/devices/${id}/context`)).body.sources.location
    // All or nothing: the row of the unchanged device did not land either.
    expect(await location(d0)).toBe('unknown')
    const applied = await a.post<ContextImportResult>(
      '/api/v1/devices/context/import',
      body({ [d0]: await version(d0), [d1]: await version(d1) }),
    )
    expect(applied.status).toBe(200)
    expect(applied.body).toMatchObject({ applied: true, errors: 0 })
    expect(await location(d0)).not.toBe('unknown')
    expect(await location(d1)).not.toBe('unknown')
  })
})
