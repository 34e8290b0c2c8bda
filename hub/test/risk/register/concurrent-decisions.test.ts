/**
 * Optimistic concurrency of the register's decisions over HTTP (issue 13 point 4) on one hub: two
 * stale browser tabs. Two hubs on PostgreSQL: test/test/cluster-ops.test.ts.
 */
import type { FindingView } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { testHub } from '../../helpers.ts'
import { api, DLA_3012, gateway, inventory, VULNERABLE, waitFindings } from './fixtures.ts'

async function setup() {
  const hub = await testHub({})
  const a = await api(hub)
  expect((await a.post('/api/v1/advisories', DLA_3012)).status).toBe(201)
  const send = async (method: 'GET' | 'POST', url: string, payload?: unknown, headers = {}) => {
    const res = await hub.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${a.token}`, ...headers },
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    })
    return { status: res.statusCode, body: res.json(), etag: res.headers.etag }
  }
  return { hub, a, send }
}

describe('decisions with the version the operator saw', () => {
  it('answers 409 with the current finding to a stale tab, and never overwrites', async () => {
    const { hub, a, send } = await setup()
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    const [f] = await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    const id = f?.id ?? ''
    const seen = await send('GET', `/api/v1/findings/${id}`)
    const version = (seen.body as FindingView).version as number
    expect(version).toBeGreaterThanOrEqual(1)
    expect(seen.etag).toBe(`"${version}"`)
    // Tab 1 and tab 2 both show `version`; tab 1 acts first.
    const first = await send(
      'POST',
      `/api/v1/findings/${id}/transition`,
      { state: 'in_progress', owner: 'biomed', why: 'scheduling' },
      { 'if-match': `"${version}"` },
    )
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ state: 'in_progress', version: version + 1 })
    expect(first.etag).toBe(`"${version + 1}"`)
    const second = await send(
      'POST',
      `/api/v1/findings/${id}/transition`,
      { state: 'mitigated', control: 'VLAN 40', why: 'segmented' },
      { 'if-match': `"${version}"` },
    )
    expect(second.status).toBe(409)
    expect(second.body).toMatchObject({
      error: { code: 'VIGIL_CONFLICT' },
      current: [{ id, version: version + 1, view: { state: 'in_progress', owner: 'biomed' } }],
    })
    const now = (await send('GET', `/api/v1/findings/${id}`)).body as FindingView & { history: unknown[] }
    expect(now).toMatchObject({ state: 'in_progress', version: version + 1 })
    expect(now.history).toHaveLength(2)
    // With the current version the second operator's change goes through.
    const retry = await send(
      'POST',
      `/api/v1/findings/${id}/transition`,
      { state: 'mitigated', control: 'VLAN 40', why: 'segmented' },
      { 'if-match': String(version + 1) },
    )
    expect(retry.status).toBe(200)
    const bad = await send(
      'POST',
      `/api/v1/findings/${id}/transition`,
      { owner: 'x', why: 'y' },
      { 'if-match': '*' },
    )
    expect(bad.status).toBe(400)
  })

  it('refuses a whole bulk change when one finding changed since, and changes none', async () => {
    const { hub, a, send } = await setup()
    const ids: string[] = []
    for (const name of ['gw-a', 'gw-b']) {
      const gw = await gateway(hub, name)
      await gw.send(inventory(VULNERABLE))
      const [f] = await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
      ids.push(f?.id ?? '')
    }
    const versions: Record<string, number> = {}
    for (const id of ids)
      versions[id] = ((await send('GET', `/api/v1/findings/${id}`)).body as FindingView).version as number
    const [x, y] = ids as [string, string]
    const meanwhile = await send(
      'POST',
      `/api/v1/findings/${y}/transition`,
      { owner: 'someone-else', why: 'taking it' },
      { 'if-match': `"${versions[y]}"` },
    )
    expect(meanwhile.status).toBe(200)
    const transition = { state: 'false_positive', why: 'backported', reason: 'vendor backport' }
    const bulk = await send('POST', '/api/v1/findings/bulk', { ids, transition, versions })
    expect(bulk.status).toBe(409)
    expect(bulk.body.current).toEqual([
      expect.objectContaining({
        id: y,
        version: (versions[y] as number) + 1,
        view: expect.objectContaining({ owner: 'someone-else' }),
      }),
    ])
    for (const id of ids)
      expect(((await send('GET', `/api/v1/findings/${id}`)).body as FindingView).state).toBe('open')
    const fresh = { ...versions, [y]: (versions[y] as number) + 1 }
    const ok = await send('POST', '/api/v1/findings/bulk', { ids, transition, versions: fresh })
    expect(ok.status).toBe(200)
    expect(ok.body.updated.sort()).toEqual([...ids].sort())
    expect(((await send('GET', `/api/v1/findings/${x}`)).body as FindingView).state).toBe('false_positive')
  })
})
