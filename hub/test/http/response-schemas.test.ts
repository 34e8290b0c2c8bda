import { API_PREFIX, ApiError, DeviceList, DeviceSummary } from '@vigil/protocol'
import fc from 'fast-check'
import type { RouteOptions } from 'fastify'
import { describe, expect, it } from 'vitest'
import { byStatus, inlineResponseSchemas } from '../../src/http/response-schemas.ts'

const routeOf = (url: string, response?: Record<string, unknown>) =>
  ({ method: 'GET', url, handler: async () => ({}), schema: response ? { response } : {} }) as RouteOptions

const responsesOf = (route: RouteOptions) => route.schema?.response as Record<string, unknown>

describe('response schemas as fastify compiles them', () => {
  it('byStatus gives what Object.fromEntries gives: keys, their order and values', () => {
    const key = fc.oneof(
      fc.integer({ min: 100, max: 599 }).map(String),
      fc.constantFrom('2xx', '4xx', 'default'),
    )
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer())), (entries) => {
        const mine = byStatus(entries)
        const plain = Object.fromEntries(entries)
        expect(Object.keys(mine)).toEqual(Object.keys(plain))
        expect(mine).toEqual(plain)
        expect(JSON.stringify(mine)).toBe(JSON.stringify(plain))
      }),
    )
  })

  it('copies each schema without nested names, once for all routes, and adds the shared error shape', () => {
    const list = routeOf(`${API_PREFIX}/devices`, { 200: DeviceList })
    const again = routeOf(`${API_PREFIX}/devices-again`, { 200: DeviceList, 404: ApiError })
    const plain = routeOf('/healthz', { 200: DeviceSummary })
    const hook = inlineResponseSchemas()
    for (const r of [list, again, plain]) hook(r)

    const copy = responsesOf(list)['200'] as Record<string, unknown>
    expect(copy).not.toBe(DeviceList)
    expect(copy.$id).toBe('DeviceList')
    expect(JSON.stringify(copy)).not.toContain('"$id":"DeviceSummary"')
    expect(JSON.stringify(DeviceList)).toContain('"$id":"DeviceSummary"') // protocol's object unchanged
    // One copy per protocol schema, shared by the routes that answer it.
    expect(responsesOf(again)['200']).toBe(copy)
    expect(responsesOf(again)['404']).toBe(responsesOf(list)['4xx'])
    expect(Object.keys(responsesOf(list))).toEqual(['200', '4xx', '5xx'])
    expect(Object.keys(responsesOf(again))).toEqual(['200', '404', '4xx', '5xx'])
    // Outside the API no error shape is added.
    expect(Object.keys(responsesOf(plain))).toEqual(['200'])
  })
})
