/**
 * Vendors (admin): a bearer token scoped to the vendor (role vendor), keys, threshold, revocation and
 * signed rotation statements, which the hub follows and delivers to online agents unchanged.
 */
import { type CommandRequest, PROTOCOL_VERSION, topics } from '@vigil/protocol'
import { generateKeyPair, signKeyRotation } from '@vigil/protocol/signing'
import { describe, expect, it } from 'vitest'
import { adminToken, birth, connectEnrolled, enroll, metric, testHub, until } from '../../helpers.ts'
import { api, createVendor, manifest, push, sign } from '../fixtures.ts'

describe('vendors', () => {
  it('creates a vendor whose token authenticates as role vendor, scoped to it', async () => {
    const hub = await testHub()
    const admin = await adminToken(hub)
    const created = await api(hub, 'POST', '/api/v1/vendors', admin, { name: 'Acme Medical, Inc.' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ id: 'acme-medical-inc', name: 'Acme Medical, Inc.', threshold: 1 })
    const token = created.body.token as string
    const session = await api(hub, 'GET', '/api/v1/session', token)
    expect(session.body).toMatchObject({ signedIn: true })
    expect(session.body.user).toMatchObject({ role: 'vendor', vendorId: 'acme-medical-inc' })
    expect(
      (await api(hub, 'POST', '/api/v1/vendors', admin, { name: 'acme medical inc' })).body.error?.code,
    ).toBe('VENDOR_EXISTS')
    expect((await api(hub, 'POST', '/api/v1/vendors', token, { name: 'Other' })).status).toBe(403)
    expect((await api(hub, 'POST', '/api/v1/vendors', admin, { name: '' })).status).toBe(400)
    // A vendor sees itself only.
    await api(hub, 'POST', '/api/v1/vendors', admin, { name: 'Globex' })
    expect(((await api(hub, 'GET', '/api/v1/vendors', token)).body.vendors as unknown[]).length).toBe(1)
    expect((await api(hub, 'GET', '/api/v1/vendors/globex', token)).status).toBe(404)
    expect(((await api(hub, 'GET', '/api/v1/vendors', admin)).body.vendors as unknown[]).length).toBe(2)
    // A new token replaces the old one.
    const renewed = await api(hub, 'POST', '/api/v1/vendors/acme-medical-inc/token', admin)
    expect((await api(hub, 'GET', '/api/v1/session', token)).body).toEqual({ signedIn: false })
    expect((await api(hub, 'GET', '/api/v1/session', renewed.body.token as string)).body).toMatchObject({
      signedIn: true,
    })
  })

  it('registers keys (keyid = SHA-256 of the DER SPKI), refuses bad and duplicate keys, revokes', async () => {
    const hub = await testHub()
    const admin = await adminToken(hub)
    const { id } = await createVendor(hub, { keyCount: 0 })
    const k = generateKeyPair()
    const added = await api(hub, 'POST', `/api/v1/vendors/${id}/keys`, admin, {
      publicKeyPem: k.publicKeyPem,
    })
    expect(added).toMatchObject({ status: 201, body: { keyid: k.keyid } })
    expect(
      (await api(hub, 'POST', `/api/v1/vendors/${id}/keys`, admin, { publicKeyPem: k.publicKeyPem })).body
        .error?.code,
    ).toBe('DUPLICATE_KEY')
    const bad = await api(hub, 'POST', `/api/v1/vendors/${id}/keys`, admin, { publicKeyPem: 'not a key' })
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'BAD_KEY' } } })
    const revoked = await api(hub, 'DELETE', `/api/v1/vendors/${id}/keys/${k.keyid}`, admin)
    expect((revoked.body.keys as { revoked: boolean }[])[0]?.revoked).toBe(true)
    expect(
      (await api(hub, 'POST', `/api/v1/vendors/${id}/keys`, admin, { publicKeyPem: k.publicKeyPem })).body
        .error?.message,
    ).toContain('revoked')
    expect((await api(hub, 'PATCH', `/api/v1/vendors/${id}`, admin, { threshold: 2 })).body.threshold).toBe(2)
    expect((await api(hub, 'PATCH', `/api/v1/vendors/${id}`, admin, { threshold: 0 })).status).toBe(400)
    const audit = await hub.app.hub.store.audit.read({ filter: (e) => e.action.startsWith('vendor.') })
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['vendor.create', 'vendor.key.add', 'vendor.key.revoke', 'vendor.threshold']),
    )
  })

  it('follows a rotation signed by the current keys, refuses others, and delivers it to online agents', async () => {
    const hub = await testHub()
    const vendor = await createVendor(hub)
    const old = vendor.keys[0]
    if (!old) throw new Error('key')
    const dev = await enroll(hub, 'gw')
    const client = await connectEnrolled(hub, dev)
    const seen: CommandRequest[] = []
    client.on('message', (_t, p) => seen.push(JSON.parse(p.toString()) as CommandRequest))
    await client.subscribeAsync(topics.command(dev.deviceId), { qos: 1 })
    await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth()), {
      qos: 1,
      retain: true,
    })
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.online || undefined, 'online')

    const fresh = generateKeyPair()
    const statement = (signers: (typeof fresh)[], sequence: number) =>
      signKeyRotation(
        {
          vendor: 'Acme Medical',
          keys: [{ keyid: fresh.keyid, publicKeyPem: fresh.publicKeyPem }],
          threshold: 1,
          issuedAt: new Date(Date.now() - 1000).toISOString(),
          sequence,
        },
        signers.map((k) => k.privateKeyPem),
      )
    const forged = await api(
      hub,
      'POST',
      `/api/v1/vendors/${vendor.id}/rotations`,
      vendor.token,
      statement([fresh], 1),
    )
    expect(forged.body.error?.code).toBe('UNKNOWN_KEY')
    const good = statement([old], 1)
    const r = await api(hub, 'POST', `/api/v1/vendors/${vendor.id}/rotations`, vendor.token, good)
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({ sequence: 1 })
    expect((r.body.keys as { keyid: string; revoked: boolean }[]).map((k) => [k.keyid, k.revoked])).toEqual([
      [fresh.keyid, false],
      [old.keyid, true],
    ])
    // Replayed: its signer is retired now; re-signed by the new key: an old sequence.
    const replay = await api(hub, 'POST', `/api/v1/vendors/${vendor.id}/rotations`, vendor.token, good)
    expect(replay.body.error?.code).toBe('REVOKED_KEY')
    const stale = await api(
      hub,
      'POST',
      `/api/v1/vendors/${vendor.id}/rotations`,
      vendor.token,
      statement([fresh], 1),
    )
    expect(stale.body.error?.code).toBe('STALE_ROTATION')
    await until(() => seen.find((c) => c.cmd === 'apply-key-rotation'), 'rotation delivered')
    expect(seen.find((c) => c.cmd === 'apply-key-rotation')).toMatchObject({ envelope: good })
    // Manifests now need the new key.
    expect((await push(hub, vendor.token, sign(manifest(), [old]))).body.error?.code).toBe('REVOKED_KEY')
    expect((await push(hub, vendor.token, sign(manifest(), [fresh]))).status).toBe(201)
    const trust = await api(hub, 'GET', `/api/v1/vendors/${vendor.id}/trust`, vendor.token)
    expect(trust.body).toMatchObject({ trust: { vendor: 'Acme Medical', sequence: 1 }, rotations: [good] })
  })

  it('sends a device at its births only the rotations it has not answered it holds', async () => {
    const hub = await testHub()
    const vendor = await createVendor(hub)
    const old = vendor.keys[0]
    if (!old) throw new Error('key')
    const fresh = generateKeyPair()
    const rotation = signKeyRotation(
      {
        vendor: 'Acme Medical',
        keys: [{ keyid: fresh.keyid, publicKeyPem: fresh.publicKeyPem }],
        threshold: 1,
        issuedAt: new Date(Date.now() - 1000).toISOString(),
        sequence: 1,
      },
      [old.privateKeyPem],
    )
    expect(
      (await api(hub, 'POST', `/api/v1/vendors/${vendor.id}/rotations`, vendor.token, rotation)).status,
    ).toBe(201)
    const online = async (name: string, answer: boolean) => {
      const dev = await enroll(hub, name)
      const client = await connectEnrolled(hub, dev)
      const rotations: CommandRequest[] = []
      client.on('message', (_t, p) => {
        const cmd = JSON.parse(p.toString()) as CommandRequest
        if (cmd.cmd !== 'apply-key-rotation') return
        rotations.push(cmd)
        // What an agent answers once it holds the rotation (applied now, or already).
        if (answer)
          void client.publishAsync(
            topics.device(dev.deviceId, 'cmd/res'),
            JSON.stringify({
              v: PROTOCOL_VERSION,
              tx: cmd.tx,
              status: 'ok',
              data: { applied: true, vendor: 'Acme Medical', sequence: 1 },
            }),
            { qos: 1 },
          )
      })
      await client.subscribeAsync(topics.command(dev.deviceId), { qos: 1 })
      const born = () =>
        client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth()), {
          qos: 1,
          retain: true,
        })
      return { dev, rotations, born }
    }
    const answering = await online('gw-answers', true)
    const silent = await online('gw-silent', false)
    for (const d of [answering, silent]) {
      await d.born()
      await until(() => d.rotations.length === 1 || undefined, `${d.dev.deviceId} first birth`)
    }
    // The answer has reached the hub; then both devices are born again (a reconnect).
    await until(
      async () => (await metric(hub, 'vigil_mqtt_messages_total', { kind: 'cmd/res' })) === 1 || undefined,
      'answer received',
    )
    for (const d of [answering, silent]) await d.born()
    await until(
      () => silent.rotations.length === 2 || undefined,
      'sent again to the device that never answered',
    )
    await new Promise((r) => setTimeout(r, 300))
    expect(answering.rotations).toHaveLength(1)
  })
})
