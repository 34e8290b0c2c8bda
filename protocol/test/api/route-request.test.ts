/**
 * A call of a route is typed by the route map: the right parameters, query and body compile and become
 * the method, path and body; a wrong body, a missing parameter or an unknown route does not compile
 * (the `@ts-expect-error` lines fail the typecheck the day any of them is accepted).
 */
import { describe, expect, it } from 'vitest'
import { queryString, routeRequest } from '../../src/index.ts'

describe('routeRequest', () => {
  it('fills path parameters (encoded), the query and the body from the route map', () => {
    expect(
      routeRequest('PATCH /users/:username', { params: { username: 'a b' }, body: { role: 'operator' } }),
    ).toEqual({ method: 'PATCH', path: '/users/a%20b', body: { role: 'operator' } })
    expect(routeRequest('GET /audit', { query: { limit: 5, action: undefined } })).toEqual({
      method: 'GET',
      path: '/audit?limit=5',
    })
    expect(routeRequest('GET /kpis')).toEqual({ method: 'GET', path: '/kpis' })
    expect(
      routeRequest('POST /manifests/:id/targets/:deviceId/retry', { params: { id: 'm/1', deviceId: 'd' } }),
    ).toEqual({ method: 'POST', path: '/manifests/m%2F1/targets/d/retry' })
    // A body the route map marks optional may be left out.
    expect(routeRequest('POST /manifests/:id/rollout/cancel', { params: { id: 'm' } })).toEqual({
      method: 'POST',
      path: '/manifests/m/rollout/cancel',
    })
    expect(routeRequest('POST /enroll', { body: { token: 't', name: 'gw' } }).body).toEqual({
      token: 't',
      name: 'gw',
    })
  })

  it('writes a query string without undefined values', () => {
    expect(queryString({ limit: 5, q: undefined, kev: true })).toBe('?limit=5&kev=true')
    expect(queryString(undefined)).toBe('')
  })

  it('does not compile a call that does not match its route', () => {
    // Each line is a wrong call: its type error is expected, and it throws or sends nothing useful.
    const wrong: (() => unknown)[] = [
      // @ts-expect-error the enroll body has no `secret`, and needs `token`
      () => routeRequest('POST /enroll', { body: { secret: 'x' } }),
      // @ts-expect-error a body of the wrong type
      () => routeRequest('POST /enroll', { body: { token: 1 } }),
      // @ts-expect-error the route has a body: it cannot be left out
      () => routeRequest('POST /users'),
      // @ts-expect-error the path parameter is missing
      () => routeRequest('DELETE /users/:username', {}),
      // @ts-expect-error an unknown parameter name
      () => routeRequest('DELETE /users/:username', { params: { user: 'a' } }),
      // @ts-expect-error a route the map does not have
      () => routeRequest('GET /nowhere'),
      // @ts-expect-error a query the route does not declare
      () => routeRequest('GET /audit', { query: { since: 'x' } }),
    ]
    expect(wrong).toHaveLength(7)
    expect(() => wrong[3]?.()).toThrow(/parameter username missing/)
  })
})
