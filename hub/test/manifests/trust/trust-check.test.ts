/**
 * The pre-approval check on a real hub: how many targeted devices trust the vendor's current keys
 * (from their births), and what to do for the others — before and after the delegation is signed.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ManifestTrustCheck } from '@vigil/protocol'
import { signDelegation } from '@vigil/protocol/signing'
import { describe, expect, it } from 'vitest'
import { trustCommand } from '../../../src/manifests/trust/cli.ts'
import { adminToken, birth, connectEnrolled, enroll, tempDir, testHub, until } from '../../helpers.ts'
import { api, createVendor, manifest, push, sign } from '../fixtures.ts'

describe('GET /api/v1/manifests/{id}/trust-check', () => {
  it('counts devices trusting the vendor’s current keys and names the fix for the others', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    const dir = await tempDir()
    const quiet = process.stdout.write
    process.stdout.write = (() => true) as typeof process.stdout.write
    try {
      expect(
        await trustCommand(['init', '--out', dir, '--hub', hub.httpUrl, `--token=${token}`], {
          dataDir: '/nonexistent',
        } as never),
      ).toBe(0)
    } finally {
      process.stdout.write = quiet
    }
    const vendor = await createVendor(hub, { name: 'Westermo' })
    const identity = {
      hostname: 'gw',
      vendor: 'Westermo',
      model: 'Lynx 5512',
      firmwareVersion: '7.1.0',
      os: { platform: 'linux', id: 'debian', prettyName: 'Debian', kernel: '6.1', arch: 'x64' },
    }
    const devices = [await enroll(hub, 'gw-a'), await enroll(hub, 'gw-b')]
    const clients = await Promise.all(devices.map((d) => connectEnrolled(hub, d)))
    const held = (delegations: Record<string, number>) => ({
      root: { version: 1, fingerprint: 'a'.repeat(64) },
      delegations,
    })
    const sendBirth = (i: number, delegations: Record<string, number>) =>
      clients[i]?.publish(
        `vigil/v1/dev/${devices[i]?.deviceId}/state`,
        JSON.stringify(birth({ identity, trust: held(delegations) })),
        { qos: 1, retain: true },
      )
    sendBirth(0, {})
    sendBirth(1, {})
    await until(
      () =>
        devices.every((d) => hub.app.hub.registry.get(d.deviceId)?.identity?.firmwareVersion) || undefined,
    )
    const m = await push(
      hub,
      vendor.token,
      sign(
        manifest({
          vendor: 'Westermo',
          appliesTo: { models: ['Lynx 5512'], versions: 'vers:generic/<8.0.0' },
        }),
        vendor.keys,
      ),
    )
    expect(m.status).toBe(201)
    const check = async () =>
      (await api(hub, 'GET', `/api/v1/manifests/${m.body.id}/trust-check`, token))
        .body as unknown as ManifestTrustCheck

    const before = await check()
    expect(before).toMatchObject({ vendor: 'Westermo', delegated: false, devices: 2, trusting: 0 })
    expect(before.command).toContain("vigil-hub trust delegate --vendor 'Westermo'")
    expect(before.targets.map((t) => t.code)).toEqual(['DELEGATION_PENDING', 'DELEGATION_PENDING'])
    expect(before.targets[0]?.fix).toContain('sign the pending delegation')

    const pending = await api(hub, 'GET', '/api/v1/trust/delegations/pending?vendor=Westermo', token)
    const keys = await Promise.all([1, 2].map((i) => readFile(join(dir, `root-${i}.pem`), 'utf8')))
    expect(
      (
        await api(
          hub,
          'POST',
          '/api/v1/trust/delegations',
          token,
          signDelegation(pending.body.payload as never, keys),
        )
      ).status,
    ).toBe(201)
    sendBirth(0, { Westermo: 1 })
    await until(
      () =>
        hub.app.hub.registry.get(devices[0]?.deviceId ?? '')?.trust?.delegations?.Westermo === 1 || undefined,
    )
    const after = await check()
    expect(after).toMatchObject({ delegated: true, devices: 2, trusting: 1 })
    expect(after.command).toBeUndefined()
    const lacking = after.targets.find((t) => !t.trusts)
    expect(lacking).toMatchObject({ deviceId: devices[1]?.deviceId, code: 'DELEGATION_NOT_DELIVERED' })
    // A key added later is not delegated until the root signs again.
    await api(hub, 'POST', `/api/v1/vendors/${vendor.id}/keys`, token, {
      publicKeyPem: (await import('@vigil/protocol/signing')).generateKeyPair().publicKeyPem,
    })
    expect(await check()).toMatchObject({ delegated: false, trusting: 0 })
  })
})
