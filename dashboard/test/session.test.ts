/** Issue 18.9: the dashboard asks whether it is signed in; the hub answers 200 either way. */
import { describe, expect, it } from 'vitest'
import { forgetSession, restoreSession, session } from '../src/session.ts'
import { fakeApi } from './fake-api.ts'

describe('restoreSession', () => {
  it('takes {signedIn:false} as "not signed in", without an error', async () => {
    forgetSession()
    const calls = fakeApi({ 'GET /api/v1/session': () => ({ body: { signedIn: false } }) })
    await expect(restoreSession()).resolves.toBeNull()
    expect(session.user).toBeNull()
    expect(session.checked).toBe(true)
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /api/v1/session'])
  })

  it('takes {signedIn:true, user} as the signed-in user', async () => {
    fakeApi({
      'GET /api/v1/session': () => ({ body: { signedIn: true, user: { username: 'op', role: 'operator' } } }),
    })
    await expect(restoreSession()).resolves.toEqual({ username: 'op', role: 'operator' })
    expect(session.user?.role).toBe('operator')
    forgetSession()
  })

  it('reports a hub that cannot answer, and still marks the question as asked', async () => {
    forgetSession()
    fakeApi({
      'GET /api/v1/session': () => ({
        status: 503,
        body: { error: { code: 'VIGIL_UNAVAILABLE', message: 'down' } },
      }),
    })
    await expect(restoreSession()).rejects.toThrow()
    expect(session.checked).toBe(true)
  })
})
