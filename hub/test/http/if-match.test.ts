/**
 * Optimistic concurrency on devices (PATCH with If-Match, issue 13 point 4): a stale tab is answered
 * 409 with the current device and changes nothing; no If-Match (an old client) changes as before.
 */
import type { DeviceSummary } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { adminToken, enroll, testHub } from '../helpers.ts'

describe('device changes with the version the operator saw', () => {
  it('answers 409 with the current device to a stale If-Match and never overwrites', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    const dev = await enroll(hub, 'gw-1')
    const call = async (method: 'GET' | 'PATCH', payload?: object, ifMatch?: string) => {
      const res = await hub.app.inject({
        method,
        url: `/api/v1/devices/${dev.deviceId}`,
        headers: { authorization: `Bearer ${token}`, ...(ifMatch ? { 'if-match': ifMatch } : {}) },
        ...(payload ? { payload } : {}),
      })
      return { status: res.statusCode, body: res.json(), etag: res.headers.etag }
    }
    const seen = await call('GET')
    const version = (seen.body as DeviceSummary).version as number
    expect(seen.etag).toBe(`"${version}"`)
    const first = await call('PATCH', { name: 'infusion-gw-3' }, `"${version}"`)
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ name: 'infusion-gw-3', version: version + 1 })
    const stale = await call('PATCH', { name: 'ward-7', disabled: true }, `"${version}"`)
    expect(stale.status).toBe(409)
    expect(stale.body).toMatchObject({
      error: { code: 'VIGIL_CONFLICT' },
      current: [{ id: dev.deviceId, version: version + 1, view: { name: 'infusion-gw-3', disabled: false } }],
    })
    expect((await call('GET')).body).toMatchObject({
      name: 'infusion-gw-3',
      disabled: false,
      version: version + 1,
    })
    // An old client without If-Match still changes the device.
    const old = await call('PATCH', { name: 'ward-7' })
    expect(old.status).toBe(200)
    expect(old.body).toMatchObject({ name: 'ward-7', version: version + 2 })
  })
})
