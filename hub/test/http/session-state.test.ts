/**
 * Issue 18.9: the dashboard asks at every load whether it is signed in. `GET /api/v1/session` answers
 * 200 either way (asking is not an error, so the first load logs no 401), and tells signed in from not.
 */
import { describe, expect, it } from 'vitest'
import { ADMIN_PASSWORD, adminToken, testHub } from '../helpers.ts'

describe('GET /api/v1/session (issue 18.9)', () => {
  it('answers 200 {signedIn:false} without a session, with a bad token and after sign-out', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    const get = (headers: Record<string, string> = {}) =>
      hub.app.inject({ method: 'GET', url: '/api/v1/session', headers })
    const anonymous = await get()
    expect(anonymous.statusCode).toBe(200)
    expect(anonymous.json()).toEqual({ signedIn: false })
    expect((await get({ cookie: 'vigil_session=not-a-session' })).json()).toEqual({ signedIn: false })

    const token = await adminToken(hub)
    const me = await get({ authorization: `Bearer ${token}` })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toEqual({ signedIn: true, user: { username: 'admin', role: 'admin' } })

    await hub.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { authorization: `Bearer ${token}` },
    })
    const after = await get({ authorization: `Bearer ${token}` })
    expect(after.statusCode).toBe(200)
    expect(after.json()).toEqual({ signedIn: false })
  })

  it('still guards everything else: a route behind a session answers 401 without one', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    expect((await hub.app.inject({ method: 'GET', url: '/api/v1/devices' })).statusCode).toBe(401)
  })
})
