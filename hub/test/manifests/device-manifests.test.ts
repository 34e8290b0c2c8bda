/** `GET /api/v1/devices/:id/manifests`: the manifests of one device and where its rollout stands. */
import { type DeviceManifestList, PROTOCOL_VERSION, type RolloutState, topics } from '@vigil/protocol'
import type { MqttClient } from 'mqtt'
import { describe, expect, it } from 'vitest'
import type { RunningHub } from '../../src/server.ts'
import { adminToken, birth, connectEnrolled, enroll, testHub, until } from '../helpers.ts'
import { api, createVendor, manifest, push, sign } from './fixtures.ts'

async function gateway(hub: RunningHub, name: string, model: string) {
  const dev = await enroll(hub, name)
  const client = await connectEnrolled(hub, dev)
  await client.subscribeAsync(topics.command(dev.deviceId), { qos: 1 })
  const state = birth({
    identity: {
      hostname: name,
      vendor: 'Acme Medical Inc.',
      model,
      firmwareVersion: '4.1.0',
      os: { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' },
    },
  })
  await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(state), {
    qos: 1,
    retain: true,
  })
  await until(() => hub.app.hub.registry.get(dev.deviceId)?.online === true, 'online')
  return { deviceId: dev.deviceId, client }
}

async function report(
  client: MqttClient,
  deviceId: string,
  manifestId: string,
  state: RolloutState,
  extra = {},
) {
  const status = { v: PROTOCOL_VERSION, ts: new Date().toISOString(), manifestId, state, ...extra }
  await client.publishAsync(topics.device(deviceId, 'rollout'), JSON.stringify(status), { qos: 1 })
}

describe('GET /api/v1/devices/:id/manifests', () => {
  it('lists what applies to the device, then its rollout state with the reason of a rejection', async () => {
    const hub = await testHub()
    const admin = await adminToken(hub)
    const vendor = await createVendor(hub)
    const gw = await gateway(hub, 'gw-a', 'IGW-200')
    const other = await gateway(hub, 'gw-b', 'IGW-900')
    const pushed = await push(hub, vendor.token, sign(manifest(), vendor.keys))
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(201)
    const id = String(pushed.body.id)
    const list = async (deviceId: string, token = admin) =>
      api(hub, 'GET', `/api/v1/devices/${deviceId}/manifests`, token) as Promise<{
        status: number
        body: DeviceManifestList & { error?: { code: string } }
      }>

    const before = await list(gw.deviceId)
    expect(before.status).toBe(200)
    expect(before.body.manifests).toEqual([
      expect.objectContaining({
        manifestId: id,
        product: 'infusion-gw',
        version: '4.2.1',
        applies: true,
        expired: false,
        rollout: null,
        target: null,
      }),
    ])
    expect((await list(other.deviceId)).body.manifests).toEqual([])

    expect((await api(hub, 'POST', `/api/v1/manifests/${id}/rollout`, admin, {})).status).toBe(201)
    await report(gw.client, gw.deviceId, id, 'rejected', {
      code: 'BAD_SIGNATURE',
      reason: 'signature does not verify',
    })
    const after = await until(async () => {
      const m = (await list(gw.deviceId)).body.manifests[0]
      return m?.target?.state === 'rejected' ? m : undefined
    }, 'rejection on the device page')
    expect(after).toMatchObject({
      rollout: 'completed',
      target: { state: 'rejected', code: 'BAD_SIGNATURE', reason: 'signature does not verify', wave: 0 },
    })

    // vendors do not see devices; an unknown device is a clear 404
    expect((await list(gw.deviceId, vendor.token)).status).toBe(403)
    const missing = await list('no-such-device')
    expect(missing.status).toBe(404)
    expect(missing.body.error?.code).toBe('VIGIL_NOT_FOUND')
  })
})
