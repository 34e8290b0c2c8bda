import type { VendorInfo } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import VendorsPanel from '../../src/components/VendorsPanel.vue'
import { badRequest, fakeApi } from '../fake-api.ts'

function vendorHub() {
  const vendors: VendorInfo[] = []
  const find = (path: string) => vendors.find((v) => path.includes(`/vendors/${v.id}`))
  const calls = fakeApi({
    'GET /api/v1/vendors': () => ({ body: { vendors } }),
    'POST /api/v1/vendors': (body) => {
      const { name, threshold } = body as { name: string; threshold: number }
      const v: VendorInfo = {
        id: name.toLowerCase(),
        name,
        threshold,
        sequence: 0,
        createdAt: '2026-11-28T12:00:00.000Z',
        keys: [],
        rotations: [],
      }
      vendors.push(v)
      return { status: 201, body: { id: v.id, name, threshold, token: 'vt_secret-token-once' } }
    },
    'POST /api/v1/vendors/globex/keys': (body) => {
      const pem = (body as { publicKeyPem: string }).publicKeyPem
      if (!pem.includes('BEGIN PUBLIC KEY')) return badRequest('publicKeyPem: not a PEM public key')
      find('/vendors/globex')?.keys.push({
        keyid: 'k-1234abcd',
        addedAt: '2026-11-28T12:01:00.000Z',
        revoked: false,
        source: 'admin',
      })
      return { status: 201, body: { keyid: 'k-1234abcd' } }
    },
    'POST /api/v1/vendors/globex/keys/k-1234abcd/revoke': (_b, path) => {
      const v = find(path)
      const k = v?.keys[0]
      if (k) Object.assign(k, { revoked: true, revokedAt: '2026-11-28T12:02:00.000Z' })
      return { body: v }
    },
    'PATCH /api/v1/vendors/globex': (body, path) => {
      const v = find(path)
      if (v) v.threshold = (body as { threshold: number }).threshold
      return { body: v }
    },
  })
  return { calls, vendors }
}

describe('VendorsPanel', () => {
  it('creates a vendor, shows its token once, adds a key, shows its keyid, revokes it, sets the threshold', async () => {
    const { calls } = vendorHub()
    const w = mount(VendorsPanel, { attachTo: document.body })
    await flushPromises()
    expect(w.text()).toContain('No vendors yet')

    await w.get('#vendor-name').setValue('Globex')
    await w.get('#vendor-threshold').setValue('2')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Globex', threshold: 2 })
    expect((w.get('#vendor-token').element as HTMLInputElement).value).toBe('vt_secret-token-once')
    expect(w.text()).toContain('shown only now')
    expect(w.text()).toContain('No keys yet')

    // A bad PEM: the hub's reason is shown, nothing is added.
    await w.get('#pem-globex').setValue('not a key')
    await w.get('.key-form').trigger('submit')
    await flushPromises()
    expect(w.get('[role="alert"]').text()).toContain('publicKeyPem: not a PEM public key')

    await w.get('#pem-globex').setValue('-----BEGIN PUBLIC KEY-----\nMFkw…\n-----END PUBLIC KEY-----')
    await w.get('.key-form').trigger('submit')
    await flushPromises()
    expect(w.text()).toContain('Key k-1234abcd added to Globex')
    expect(w.text()).toContain('Trusted')

    const revoke = w.findAll('button').find((b) => b.text().startsWith('Revoke'))
    await revoke?.trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.path === '/api/v1/vendors/globex/keys/k-1234abcd/revoke')).toBe(true)
    expect(w.text()).toContain('Revoked')
    expect(w.findAll('button').some((b) => b.text().startsWith('Revoke'))).toBe(false)

    await w.get('#threshold-globex').setValue('1')
    await w.findAll('form')[1]?.trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ threshold: 1 })
    expect(w.text()).toContain('Globex now needs 1 signature(s)')
    w.unmount()
  })

  it('renders a vendor name with markup as text', async () => {
    const { vendors } = vendorHub()
    vendors.push({
      id: 'evil',
      name: '<img src=x onerror=alert(1)>',
      threshold: 1,
      sequence: 0,
      createdAt: '2026-11-28T12:00:00.000Z',
      keys: [],
      rotations: [],
    })
    const w = mount(VendorsPanel)
    await flushPromises()
    expect(w.find('img').exists()).toBe(false)
    expect(w.text()).toContain('<img src=x onerror=alert(1)>')
    w.unmount()
  })
})
