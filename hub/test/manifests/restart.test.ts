/** Vendors, keys, accepted manifests, their history and rollout plans survive a hub restart. */
import { describe, expect, it } from 'vitest'
import { adminToken, tempDir, testHub } from '../helpers.ts'
import { api, createVendor, manifest, push, sign } from './fixtures.ts'

describe('manifests across a restart', () => {
  it('keeps the vendor token, keys, the manifest with its envelope and the version floor', async () => {
    const dir = await tempDir()
    const first = await testHub({}, dir)
    const vendor = await createVendor(first)
    const envelope = sign(manifest(), vendor.keys)
    const id = (await push(first, vendor.token, envelope)).body.id as string
    await first.close()

    const hub = await testHub({}, dir)
    const again = await api(hub, 'GET', `/api/v1/manifests/${id}`, vendor.token)
    expect(again.status).toBe(200)
    expect(again.body.envelope).toEqual(envelope)
    expect(
      (await push(hub, vendor.token, sign(manifest({ version: '4.0.0' }), vendor.keys))).body.error?.code,
    ).toBe('ROLLBACK')
    expect((await push(hub, vendor.token, sign(manifest({ version: '4.3.0' }), vendor.keys))).status).toBe(
      201,
    )
    const v = await api(hub, 'GET', `/api/v1/vendors/${vendor.id}`, await adminToken(hub))
    expect((v.body.keys as { keyid: string }[]).map((k) => k.keyid)).toEqual([vendor.keys[0]?.keyid])
  })
})
