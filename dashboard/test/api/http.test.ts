import { describe, expect, it } from 'vitest'
import { ApiRequestError, call } from '../../src/api/http.ts'
import { fakeApi } from '../fake-api.ts'

describe('the typed API client', () => {
  it('fills path parameters (encoded), the query and the body from the route map', async () => {
    const calls = fakeApi({
      'PATCH /api/v1/users/a%20b': (body) => ({
        body: {
          username: 'a b',
          role: (body as { role: string }).role,
          createdAt: '2026-01-01T00:00:00.000Z',
        },
      }),
      'GET /api/v1/audit': () => ({ body: { entries: [] } }),
      'DELETE /api/v1/feeds/f1': () => ({ status: 204 }),
    })
    const user = await call('PATCH /users/:username', {
      params: { username: 'a b' },
      body: { role: 'operator' },
    })
    expect(user.role).toBe('operator')
    expect(await call('GET /audit', { query: { limit: 5 } })).toEqual({ entries: [] })
    expect(await call('DELETE /feeds/:id', { params: { id: 'f1' } })).toBeUndefined()
    expect(calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ['PATCH', '/api/v1/users/a%20b', { role: 'operator' }],
      ['GET', '/api/v1/audit', undefined],
      ['DELETE', '/api/v1/feeds/f1', undefined],
    ])
  })

  it('refuses an answer that does not match the route reply schema', async () => {
    fakeApi({ 'GET /api/v1/kpis': () => ({ body: { devices: 'many' } }) })
    await expect(call('GET /kpis')).rejects.toBeInstanceOf(ApiRequestError)
  })
})
