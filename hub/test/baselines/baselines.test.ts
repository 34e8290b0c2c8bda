import { type HardeningBaseline, PROTOCOL_VERSION, topics } from '@vigil/protocol'
import type { MqttClient } from 'mqtt'
import { describe, expect, it } from 'vitest'
import type { RunningHub } from '../../src/server.ts'
import { adminToken, connectEnrolled, enroll, tempDir, testHub } from '../helpers.ts'

function baseline(version: number, id = 'ward-gateways'): HardeningBaseline {
  return {
    v: PROTOCOL_VERSION,
    id,
    version,
    name: `Ward gateways v${version}`,
    checks: [
      {
        id: 'no-telnet',
        kind: 'file-absent',
        title: 'telnet is not installed',
        severity: 'high',
        path: '/usr/bin/telnet',
      },
    ],
  }
}

async function put(hub: RunningHub, token: string, body: unknown) {
  return hub.app.inject({
    method: 'PUT',
    url: '/api/v1/baselines',
    headers: { authorization: `Bearer ${token}` },
    payload: body as Record<string, unknown>,
  })
}

/** Resolves with the first message on the baseline topic (and whether it was delivered as retained). */
function nextBaseline(client: MqttClient): Promise<{ baseline: HardeningBaseline; retain: boolean }> {
  return new Promise((resolve, reject) => {
    client.on('message', (topic, payload, packet) => {
      if (topic === topics.baseline())
        resolve({ baseline: JSON.parse(payload.toString()) as HardeningBaseline, retain: packet.retain })
    })
    client.subscribe(topics.baseline(), { qos: 1 }, (err) => {
      if (err) reject(err)
    })
  })
}

describe('fleet baseline API', () => {
  it('publishes an uploaded baseline retained, so a device subscribing afterwards receives it', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    const before = await hub.app.inject({
      url: '/api/v1/baselines',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(before.json()).toEqual({ current: null, history: [] })

    const res = await put(hub, token, baseline(3))
    expect(res.statusCode).toBe(200)
    expect(res.json().current.version).toBe(3)
    expect(res.json().history[0]).toMatchObject({
      id: 'ward-gateways',
      version: 3,
      checks: 1,
      publishedBy: 'admin',
    })

    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const got = await nextBaseline(client)
    expect(got.retain).toBe(true)
    expect(got.baseline).toEqual(baseline(3))

    const audit = await hub.app.inject({
      url: '/api/v1/audit',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(JSON.stringify(audit.json())).toContain('baseline.publish')
  })

  it('refuses a malformed baseline naming the field and keeps the current one', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    expect((await put(hub, token, baseline(1))).statusCode).toBe(200)
    const bad = { ...baseline(2), checks: [{ ...baseline(2).checks[0], severity: 'apocalyptic' }] }
    const res = await put(hub, token, bad)
    expect(res.statusCode).toBe(400)
    expect(res.json().error.message).toContain('/checks/0')
    const badPattern = {
      ...baseline(2),
      checks: [
        { id: 'x', kind: 'file-content', title: 'x', severity: 'low', path: '/etc/x', mustMatch: '(' },
      ],
    }
    const res2 = await put(hub, token, badPattern)
    expect(res2.statusCode).toBe(400)
    expect(res2.json().error.message).toContain('/checks/0/mustMatch')
    const state = await hub.app.inject({
      url: '/api/v1/baselines',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(state.json().current.version).toBe(1)
  })

  it('refuses a version not greater than the current one of the same id (409), accepts another id', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    expect((await put(hub, token, baseline(5))).statusCode).toBe(200)
    expect((await put(hub, token, baseline(5))).statusCode).toBe(409)
    expect((await put(hub, token, baseline(4))).statusCode).toBe(409)
    expect((await put(hub, token, baseline(1, 'icu-gateways'))).statusCode).toBe(200)
  })

  it('keeps the baseline across a restart and publishes it again at start', async () => {
    const dir = await tempDir()
    const first = await testHub({}, dir)
    const dev = await enroll(first)
    expect((await put(first, await adminToken(first), baseline(7))).statusCode).toBe(200)
    await first.close()

    const hub = await testHub({}, dir)
    const client = await connectEnrolled(hub, dev)
    const got = await nextBaseline(client)
    expect(got.baseline.version).toBe(7)
    expect(got.retain).toBe(true)
  })

  it('lets a technician read but not publish', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    const created = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${token}` },
      payload: { username: 'tech', password: 'a long technician password', role: 'technician' },
    })
    expect(created.statusCode).toBeLessThan(300)
    const session = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'tech', password: 'a long technician password' },
    })
    const tech = session.json<{ token: string }>().token
    expect((await put(hub, tech, baseline(1))).statusCode).toBe(403)
    const read = await hub.app.inject({
      url: '/api/v1/baselines',
      headers: { authorization: `Bearer ${tech}` },
    })
    expect(read.statusCode).toBe(200)
  })
})
