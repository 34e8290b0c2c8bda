import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { testHub } from '../../helpers.ts'
import { CISA } from '../advisories/data.ts'
import { api, DLA_3012 } from '../register/fixtures.ts'

const csaf = (path: string) => JSON.parse(readFileSync(join(CISA, path), 'utf8')) as Record<string, unknown>

describe('POST /api/v1/advisories with a vendor token', () => {
  it('accepts CSAF for the vendor own products ("Phillips" in the advisory is Philips), refuses others', async () => {
    const hub = await testHub()
    const admin = await api(hub)
    const created = await admin.post<{ id: string; token: string }>('/api/v1/vendors', { name: 'Philips' })
    expect(created.status).toBe(201)
    const vendor = await api(hub, created.body.token)
    const own = await vendor.post<{ imported: string[] }>(
      '/api/v1/advisories',
      csaf('2018/icsma-18-025-01.json'),
    )
    expect(own.status, JSON.stringify(own.body)).toBe(201)
    expect(own.body.imported).toEqual(['ICSMA-18-025-01'])
    const other = await vendor.post<{ error: { code: string; message: string } }>(
      '/api/v1/advisories',
      csaf('2023/icsma-23-194-01.json'),
    )
    expect(other.status).toBe(403)
    expect(other.body.error.message).toMatch(/own products only/)
    const osv = await vendor.post<{ error: { message: string } }>('/api/v1/advisories', DLA_3012)
    expect(osv.status).toBe(403)
    expect(osv.body.error.message).toMatch(/CSAF 2.0 documents only/)
    // vendors cannot read the register
    expect((await vendor.get('/api/v1/findings')).status).toBe(403)
    expect((await admin.get<{ total: number }>('/api/v1/advisories')).body.total).toBe(1)
  })

  it('lets a vendor read only advisories about its own products (issue #14 finding 3)', async () => {
    const hub = await testHub()
    const admin = await api(hub)
    const created = await admin.post<{ id: string; token: string }>('/api/v1/vendors', { name: 'Philips' })
    const vendor = await api(hub, created.body.token)
    expect((await vendor.post('/api/v1/advisories', csaf('2018/icsma-18-025-01.json'))).status).toBe(201)
    expect((await admin.post('/api/v1/advisories', csaf('2023/icsma-23-194-01.json'))).status).toBe(201)
    expect((await admin.post('/api/v1/advisories', DLA_3012)).status).toBe(201)
    expect((await admin.get<{ total: number }>('/api/v1/advisories')).body.total).toBe(3)
    const own = await vendor.get<{ advisories: { id: string }[]; total: number }>('/api/v1/advisories')
    expect(own.status).toBe(200)
    expect(own.body.advisories.map((a) => a.id)).toEqual(['ICSMA-18-025-01'])
    expect((await vendor.get('/api/v1/advisories/ICSMA-18-025-01')).status).toBe(200)
    expect((await vendor.get('/api/v1/advisories/ICSMA-23-194-01')).status).toBe(404)
    expect((await vendor.get(`/api/v1/advisories/${encodeURIComponent('DLA-3012-1')}`)).status).toBe(404)
  })
})
