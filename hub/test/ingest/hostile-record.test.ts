/**
 * Issue 14 finding 2: one device can no longer stop persistence for its neighbours. A birth with
 * 10,000 levels of nesting inside an extra property of `identity` is refused before it is decoded;
 * one with a shallow extra property is stored without it; every HTTP write (creating a user, renaming
 * and disabling devices) still answers and survives a restart, the admin's disable of the rogue device
 * included.
 */
import { topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { adminToken, birth, connectEnrolled, enroll, metric, tempDir, testHub } from '../helpers.ts'

describe('a hostile device record (issue 14 finding 2)', () => {
  it('never blocks persistence of other records, and an admin action on the device persists', async () => {
    const dataDir = await tempDir()
    let hub = await testHub({}, dataDir)
    const rogue = await enroll(hub, 'rogue')
    const neighbour = await enroll(hub, 'neighbour')
    const client = await connectEnrolled(hub, rogue)
    const nested = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`
    const deep = JSON.stringify(birth()).replace('"hostname":', `"extra":${nested},"hostname":`)
    await client.publishAsync(topics.device(rogue.deviceId, 'state'), deep, { qos: 1 })
    expect(await metric(hub, 'vigil_mqtt_rejected_total', { device: rogue.deviceId })).toBeGreaterThanOrEqual(
      1,
    )
    const shallow = JSON.stringify(birth()).replace('"hostname":', '"extra":{"x":[1,2,3]},"hostname":')
    await client.publishAsync(topics.device(rogue.deviceId, 'state'), shallow, { qos: 1 })
    const stored = hub.app.hub.registry.get(rogue.deviceId)
    expect(stored?.identity?.hostname).toBe('gw-host')
    expect(stored?.identity).not.toHaveProperty('extra')
    const auth = { authorization: `Bearer ${await adminToken(hub)}` }
    const writes = await Promise.all([
      hub.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: auth,
        payload: { username: 'biomed', password: 'long enough password', role: 'operator' },
      }),
      hub.app.inject({
        method: 'PATCH',
        url: `/api/v1/devices/${neighbour.deviceId}`,
        headers: auth,
        payload: { name: 'ward-2' },
      }),
      hub.app.inject({
        method: 'PATCH',
        url: `/api/v1/devices/${rogue.deviceId}`,
        headers: auth,
        payload: { disabled: true },
      }),
    ])
    expect(writes.map((w) => w.statusCode)).toEqual([201, 200, 200])
    client.end(true)
    await hub.close()
    hub = await testHub({}, dataDir)
    expect(hub.app.hub.store.users.values().map((u) => u.username)).toContain('biomed')
    expect(hub.app.hub.registry.get(neighbour.deviceId)?.name).toBe('ward-2')
    expect(hub.app.hub.registry.get(rogue.deviceId)?.disabled).toBe(true)
  })
})
