/**
 * The routes the hub serves, as its OpenAPI document lists them (`METHOD /path`, sorted), are the ones
 * in `api-routes.txt`. Registering routes under one `API_PREFIX` (issue 19, point 2) left this list
 * unchanged; a route added, removed or moved shows here — update the file with `vitest run -u`
 * when that is intended.
 */
import { describe, expect, it } from 'vitest'
import { testHub } from '../helpers.ts'

describe('the routes of the OpenAPI document', () => {
  it('are the recorded list', async () => {
    const hub = await testHub()
    const doc = (await hub.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>
    }>()
    const routes = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort()
    expect(routes.length).toBeGreaterThan(60)
    await expect(`${routes.join('\n')}\n`).toMatchFileSnapshot('./api-routes.txt')
  })
})
