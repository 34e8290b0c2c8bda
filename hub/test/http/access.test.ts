/**
 * Issue #14, finding 3: the role × resource table in hub/README.md is the contract. This walks every route
 * of the hub's OpenAPI document with every role's token and checks the table row by row; then the vendor
 * scoping ("own") and the live stream's refusals.
 */
import { readFile } from 'node:fs/promises'
import { io } from 'socket.io-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ERRORS } from '../../src/errors.ts'
import type { RunningHub } from '../../src/server.ts'
import { ADMIN_PASSWORD, adminToken, enroll, testHub } from '../helpers.ts'

const ROLES = ['admin', 'operator', 'technician', 'vendor', 'device', 'anonymous'] as const
type Who = (typeof ROLES)[number]
type Cell = '✓' | 'own' | '–'

async function readTable(): Promise<Map<string, Record<Who, Cell>>> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const block = readme.split('<!-- access-table:start -->')[1]?.split('<!-- access-table:end -->')[0] ?? ''
  const rows = new Map<string, Record<Who, Cell>>()
  for (const line of block.split('\n')) {
    const cells = line.split('|').map((c) => c.trim())
    const [, method, path, ...marks] = cells
    if (!method || !path?.startsWith('`')) continue
    rows.set(
      `${method} ${path.replaceAll('`', '')}`,
      Object.fromEntries(ROLES.map((r, i) => [r, marks[i] as Cell])) as Record<Who, Cell>,
    )
  }
  return rows
}

async function tokens(hub: RunningHub): Promise<Record<Who, string | undefined>> {
  const admin = await adminToken(hub)
  const auth = { authorization: `Bearer ${admin}` }
  const user = async (role: string) => {
    const password = `${role} password 1`
    const made = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth,
      payload: { username: role, password, role },
    })
    expect(made.statusCode).toBe(201)
    const s = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: role, password },
    })
    return s.json<{ token: string }>().token
  }
  const vendor = await hub.app.inject({
    method: 'POST',
    url: '/api/v1/vendors',
    headers: auth,
    payload: { name: 'Acme Medical' },
  })
  const device = await enroll(hub, 'gw-access')
  return {
    admin,
    operator: await user('operator'),
    technician: await user('technician'),
    vendor: vendor.json<{ token: string }>().token,
    // A device holds MQTT credentials only; presenting them over HTTP must not work.
    device: device.mqtt.password,
    anonymous: undefined,
  }
}

describe('role × resource table (issue #14 finding 3)', () => {
  it('every route of the OpenAPI document answers every role as hub/README.md says', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    const table = await readTable()
    const who = await tokens(hub)
    const doc = (await hub.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>
    }>()
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    )
    expect(routes.length).toBeGreaterThan(60)
    // The table and the document name the same routes.
    expect([...table.keys()].sort()).toEqual([...routes].sort())

    const mismatches: string[] = []
    for (const route of routes) {
      const [method = 'GET', path = ''] = route.split(' ')
      const url = path.replace(/\{(\w+)\}/g, 'zz0')
      const row = table.get(route)
      if (!row) continue
      for (const role of ROLES) {
        const token = who[role]
        // Signing out would end the token the rest of the walk uses; sign-out is public anyway.
        if (route === 'DELETE /api/v1/session' && token) continue
        const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH'
        const res = await hub.app.inject({
          method: method as 'GET',
          url,
          headers: token ? { authorization: `Bearer ${token}` } : {},
          ...(hasBody ? { payload: {} } : {}),
        })
        const expected = row[role]
        // A role refusal is the guard's (401, or 403 with the catalogue's message); a vendor's "own" route may
        // still refuse content with 403 and a reason (e.g. an advisory naming another maker's product).
        const roleRefusal =
          res.statusCode === 403 &&
          res.json<{ error: { message: string } }>().error.message === ERRORS.VIGIL_FORBIDDEN.message
        const refused = res.statusCode === 401 || roleRefusal
        const want = expected === '–' ? (token && role !== 'device' ? 403 : 401) : 'not 401/403'
        const ok = expected === '–' ? res.statusCode === want && (want === 401 || roleRefusal) : !refused
        if (!ok) mismatches.push(`${route} as ${role}: ${res.statusCode} (table: ${expected}, want ${want})`)
      }
    }
    expect(mismatches).toEqual([])
  })

  it('a vendor sees only its own vendor entry and manifests, and no fleet data', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    const admin = { authorization: `Bearer ${await adminToken(hub)}` }
    const mk = async (name: string) =>
      (
        await hub.app.inject({ method: 'POST', url: '/api/v1/vendors', headers: admin, payload: { name } })
      ).json<{
        id: string
        token: string
      }>()
    const acme = await mk('Acme Medical')
    const other = await mk('Other Devices')
    const dev = await enroll(hub, 'gw-fleet')
    const as = { authorization: `Bearer ${acme.token}` }
    const get = (url: string) => hub.app.inject({ method: 'GET', url, headers: as })

    const list = (await get('/api/v1/vendors')).json<{ vendors: { id: string }[] }>()
    expect(list.vendors.map((v) => v.id)).toEqual([acme.id])
    expect((await get(`/api/v1/vendors/${acme.id}`)).statusCode).toBe(200)
    expect((await get(`/api/v1/vendors/${other.id}`)).statusCode).toBe(404)
    expect((await get(`/api/v1/vendors/${other.id}/trust`)).statusCode).toBe(404)
    for (const url of [
      '/api/v1/devices',
      `/api/v1/devices/${dev.deviceId}`,
      `/api/v1/devices/${dev.deviceId}/sbom`,
      `/api/v1/devices/${dev.deviceId}/telemetry`,
      `/api/v1/devices/${dev.deviceId}/events`,
      `/api/v1/devices/${dev.deviceId}/manifests`,
      '/api/v1/findings',
      '/api/v1/posture/devices',
      '/api/v1/kpis',
    ]) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(403)
      expect(res.body, url).not.toContain(dev.deviceId)
    }
    expect((await get('/api/v1/manifests')).json()).toEqual({ manifests: [], total: 0 })
    // Advisories: only those about its own products (none here; see test/correlation/vendor-upload.test.ts).
    expect((await get('/api/v1/advisories')).json()).toEqual({ advisories: [], total: 0 })
  })

  it('the live stream refuses vendors, devices and strangers and admits staff', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    const who = await tokens(hub)
    const outcome = (token: string | undefined) => {
      const socket = io(hub.httpUrl, {
        auth: token ? { token } : {},
        transports: ['websocket'],
        reconnection: false,
      })
      onTestFinished(() => {
        socket.close()
      })
      return new Promise<string>((resolve) => {
        socket.once('fleet:snapshot', () => resolve('✓'))
        socket.once('connect_error', (e) => resolve(e.message))
      })
    }
    const seen = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, await outcome(who[r])])))
    expect(seen).toEqual({
      admin: '✓',
      operator: '✓',
      technician: '✓',
      vendor: 'VIGIL_FORBIDDEN',
      device: 'VIGIL_UNAUTHENTICATED',
      anonymous: 'VIGIL_UNAUTHENTICATED',
    })
  })
})
