/**
 * POST /api/v1/manifests: every bad input of issue 6 refused with its own code, message and audit
 * entry; an accepted manifest is stored with its envelope unchanged.
 */
import { MANIFEST_PAYLOAD_TYPE } from '@vigil/protocol'
import { generateKeyPair, signEnvelope } from '@vigil/protocol/signing'
import { describe, expect, it } from 'vitest'
import type { RunningHub } from '../../src/server.ts'
import { adminToken, testHub } from '../helpers.ts'
import { api, createVendor, DAY, manifest, push, sign, type VendorFixture } from './fixtures.ts'

async function setup(opts: { keyCount?: number; threshold?: number } = {}) {
  const hub = await testHub()
  const vendor = await createVendor(hub, opts)
  return { hub, vendor }
}

async function expectRefused(
  hub: RunningHub,
  vendor: VendorFixture,
  envelope: unknown,
  code: string,
  status?: number,
) {
  const r = await push(hub, vendor.token, envelope)
  expect(r.body.error?.code, JSON.stringify(r.body)).toBe(code)
  if (status !== undefined) expect(r.status).toBe(status)
  expect(r.body.error?.message.length).toBeGreaterThan(5)
  await hub.app.hub.store.flush()
  const audit = await hub.app.hub.store.audit.read({ filter: (e) => e.action === 'manifest.push' && !e.ok })
  expect(audit[0]?.detail).toContain(code)
  expect(hub.app.hub.store.audit).toBeDefined()
  const list = await api(hub, 'GET', '/api/v1/manifests', vendor.token)
  return list.body as { manifests: { version: string }[] }
}

describe('POST /api/v1/manifests', () => {
  it('accepts a signed manifest and stores it with its envelope unchanged', async () => {
    const { hub, vendor } = await setup()
    const envelope = sign(manifest(), vendor.keys)
    const r = await push(hub, vendor.token, envelope)
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      vendor: 'Acme Medical',
      product: 'infusion-gw',
      version: '4.2.1',
      vendorId: vendor.id,
    })
    expect(r.body.envelope).toEqual(envelope)
    expect(r.body.keyids).toEqual([vendor.keys[0]?.keyid])
    const id = r.body.id as string
    const again = await api(hub, 'GET', `/api/v1/manifests/${id}/envelope`, vendor.token)
    expect(again.body).toEqual(envelope)
    const audit = await hub.app.hub.store.audit.read({ filter: (e) => e.action === 'manifest.push' && e.ok })
    expect(audit[0]?.target).toBe(id)
  })

  it('refuses a tampered payload (BAD_SIGNATURE)', async () => {
    const { hub, vendor } = await setup()
    const envelope = sign(manifest(), vendor.keys)
    const tampered = {
      ...envelope,
      payload: Buffer.from(
        Buffer.from(envelope.payload, 'base64').toString().replace('4.2.1', '4.2.2'),
      ).toString('base64'),
    }
    const list = await expectRefused(hub, vendor, tampered, 'BAD_SIGNATURE', 422)
    expect(list.manifests).toEqual([])
  })

  it('refuses a signature by an unknown key (UNKNOWN_KEY)', async () => {
    const { hub, vendor } = await setup()
    await expectRefused(hub, vendor, sign(manifest(), [generateKeyPair()]), 'UNKNOWN_KEY', 422)
  })

  it('refuses a signature by a revoked key (REVOKED_KEY)', async () => {
    const { hub, vendor } = await setup()
    const key = vendor.keys[0]
    if (!key) throw new Error('no key')
    const r = await api(
      hub,
      'POST',
      `/api/v1/vendors/${vendor.id}/keys/${key.keyid}/revoke`,
      await adminToken(hub),
    )
    expect(r.status).toBe(200)
    await expectRefused(hub, vendor, sign(manifest(), [key]), 'NO_VENDOR_KEYS', 422)
    // With another key still valid, the revoked one is named as such.
    const other = generateKeyPair()
    await api(hub, 'POST', `/api/v1/vendors/${vendor.id}/keys`, await adminToken(hub), {
      publicKeyPem: other.publicKeyPem,
    })
    await expectRefused(hub, vendor, sign(manifest(), [key]), 'REVOKED_KEY', 422)
  })

  it('refuses fewer signatures than the threshold (THRESHOLD_NOT_MET)', async () => {
    const { hub, vendor } = await setup({ keyCount: 2, threshold: 2 })
    await expectRefused(hub, vendor, sign(manifest(), vendor.keys.slice(0, 1)), 'THRESHOLD_NOT_MET', 422)
    const ok = await push(hub, vendor.token, sign(manifest(), vendor.keys))
    expect(ok.status).toBe(201)
  })

  it('counts the same key only once toward the threshold', async () => {
    const { hub, vendor } = await setup({ keyCount: 2, threshold: 2 })
    const once = sign(manifest(), vendor.keys.slice(0, 1))
    const sig = once.signatures[0]
    if (!sig) throw new Error('no signature')
    await expectRefused(hub, vendor, { ...once, signatures: [sig, { ...sig }] }, 'THRESHOLD_NOT_MET', 422)
  })

  it('refuses an expired manifest (EXPIRED)', async () => {
    const { hub, vendor } = await setup()
    const m = manifest({
      releasedAt: new Date(Date.now() - 10 * DAY).toISOString(),
      expiresAt: new Date(Date.now() - DAY).toISOString(),
    })
    await expectRefused(hub, vendor, sign(m, vendor.keys), 'EXPIRED', 422)
  })

  it('refuses a manifest released in the future (RELEASED_IN_FUTURE)', async () => {
    const { hub, vendor } = await setup()
    const m = manifest({ releasedAt: new Date(Date.now() + DAY).toISOString() })
    await expectRefused(hub, vendor, sign(m, vendor.keys), 'RELEASED_IN_FUTURE', 422)
  })

  it('refuses an older version (ROLLBACK) and the same manifest again (replay, ROLLBACK)', async () => {
    const { hub, vendor } = await setup()
    const current = sign(manifest(), vendor.keys)
    expect((await push(hub, vendor.token, current)).status).toBe(201)
    await expectRefused(hub, vendor, current, 'ROLLBACK', 409)
    const list = await expectRefused(
      hub,
      vendor,
      sign(manifest({ version: '4.1.9' }), vendor.keys),
      'ROLLBACK',
      409,
    )
    expect(list.manifests.map((m) => m.version)).toEqual(['4.2.1'])
    // Another product has its own history; a newer version of this one is accepted.
    expect(
      (
        await push(
          hub,
          vendor.token,
          sign(manifest({ product: 'monitor-gw', version: '1.0.0' }), vendor.keys),
        )
      ).status,
    ).toBe(201)
    expect((await push(hub, vendor.token, sign(manifest({ version: '4.10.0' }), vendor.keys))).status).toBe(
      201,
    )
  })

  it('refuses the same version with other content (MIX_AND_MATCH)', async () => {
    const { hub, vendor } = await setup()
    expect((await push(hub, vendor.token, sign(manifest(), vendor.keys))).status).toBe(201)
    await expectRefused(
      hub,
      vendor,
      sign(manifest({ fixes: ['CVE-2024-0001'] }), vendor.keys),
      'MIX_AND_MATCH',
      409,
    )
  })

  it('refuses a wrong payloadType (WRONG_PAYLOAD_TYPE)', async () => {
    const { hub, vendor } = await setup()
    const key = vendor.keys[0]
    if (!key) throw new Error('no key')
    const env = signEnvelope(manifest(), 'application/json', [key.privateKeyPem])
    await expectRefused(hub, vendor, env, 'WRONG_PAYLOAD_TYPE', 415)
  })

  it('refuses malformed base64, malformed JSON and a payload that is not JSON', async () => {
    const { hub, vendor } = await setup()
    const env = sign(manifest(), vendor.keys)
    await expectRefused(
      hub,
      vendor,
      { ...env, payload: `${env.payload.slice(0, 10)}!!${env.payload.slice(10)}` },
      'MALFORMED_ENVELOPE',
      400,
    )
    await expectRefused(hub, vendor, `${JSON.stringify(env).slice(0, -2)}`, 'MALFORMED_ENVELOPE', 400)
    const key = vendor.keys[0]
    if (!key) throw new Error('no key')
    const notJson = signEnvelope(
      new TextEncoder().encode('{"vendor":"Acme Medical",'),
      MANIFEST_PAYLOAD_TYPE,
      [key.privateKeyPem],
    )
    await expectRefused(hub, vendor, notJson, 'MALFORMED_PAYLOAD', 400)
  })

  it('refuses an oversize envelope (OVERSIZE) and a schema violation (SCHEMA)', async () => {
    const { hub, vendor } = await setup()
    const big = sign(manifest({ description: 'x'.repeat(4000) }), vendor.keys)
    await expectRefused(hub, vendor, { ...big, padding: 'y'.repeat(300 * 1024) }, 'OVERSIZE', 413)
    const bad = manifest()
    const { fixes: _drop, ...noFixes } = bad
    const key = vendor.keys[0]
    if (!key) throw new Error('no key')
    const env = signEnvelope(noFixes, MANIFEST_PAYLOAD_TYPE, [key.privateKeyPem])
    const r = await push(hub, vendor.token, env)
    expect(r.body.error?.code).toBe('SCHEMA')
    expect(r.body.error?.message).toContain('fixes')
  })

  it('refuses an artifact whose name is a path or whose hash/size is not a valid claim (SCHEMA)', async () => {
    const { hub, vendor } = await setup()
    const key = vendor.keys[0]
    if (!key) throw new Error('no key')
    const art = manifest().artifacts[0]
    if (!art) throw new Error('no artifact')
    for (const [field, artifact] of [
      ['name', { ...art, name: '../../etc/passwd' }],
      ['sha256', { ...art, sha256: 'zz' }],
      ['size', { ...art, size: -1 }],
    ] as const) {
      const env = signEnvelope({ ...manifest(), artifacts: [artifact] }, MANIFEST_PAYLOAD_TYPE, [
        key.privateKeyPem,
      ])
      const r = await push(hub, vendor.token, env)
      expect(r.body.error?.code).toBe('SCHEMA')
      expect(r.body.error?.message).toContain(`/artifacts/0/${field}`)
    }
  })

  it("refuses a vendor token pushing another vendor's manifest, and other roles", async () => {
    const { hub, vendor } = await setup()
    const other = await createVendor(hub, { name: 'Globex Devices' })
    const theirs = sign(manifest(), vendor.keys)
    await expectRefused(hub, other, theirs, 'VENDOR_MISMATCH', 403)
    // Signed by Globex itself but naming Acme: still refused.
    await expectRefused(hub, other, sign(manifest(), other.keys), 'VENDOR_MISMATCH', 403)
    const admin = await push(hub, await adminToken(hub), theirs)
    expect(admin.status).toBe(403)
    expect((await push(hub, 'not-a-token', theirs)).status).toBe(401)
  })

  it('lets a vendor see only its own manifests', async () => {
    const { hub, vendor } = await setup()
    const other = await createVendor(hub, { name: 'Globex Devices' })
    const r = await push(hub, vendor.token, sign(manifest(), vendor.keys))
    const id = r.body.id as string
    expect((await api(hub, 'GET', '/api/v1/manifests', other.token)).body).toMatchObject({
      manifests: [],
      total: 0,
    })
    expect((await api(hub, 'GET', `/api/v1/manifests/${id}`, other.token)).status).toBe(404)
    expect((await api(hub, 'GET', `/api/v1/manifests/${id}`, vendor.token)).status).toBe(200)
    const staff = await api(hub, 'GET', '/api/v1/manifests', await adminToken(hub))
    expect(staff.body.total).toBe(1)
  })
})
