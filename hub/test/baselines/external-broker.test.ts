import { PROTOCOL_VERSION, topics } from '@vigil/protocol'
import mqtt from 'mqtt'
import { describe, expect, it, onTestFinished } from 'vitest'
import { adminToken, testHub } from '../helpers.ts'
import { hasMosquitto, startMosquitto } from '../mosquitto.ts'

describe.skipIf(!hasMosquitto)("fleet baseline in external broker mode (Debian's Mosquitto)", () => {
  it('the hub publishes the uploaded baseline retained on the external broker', async () => {
    const users = { hub: 'hub-secret', devA: 'a-secret' }
    const broker = await startMosquitto(users, 'hub')
    const hub = await testHub({ mqttUrl: broker.url, mqttUsername: 'hub', mqttPassword: users.hub })
    const token = await adminToken(hub)
    const baseline = {
      v: PROTOCOL_VERSION,
      id: 'ext-fleet',
      version: 2,
      name: 'External fleet',
      checks: [{ id: 'no-empty', kind: 'empty-passwords', title: 'no empty passwords', severity: 'high' }],
    }
    const res = await hub.app.inject({
      method: 'PUT',
      url: '/api/v1/baselines',
      headers: { authorization: `Bearer ${token}` },
      payload: baseline,
    })
    expect(res.statusCode).toBe(200)

    // A device connecting afterwards receives it as a retained message.
    const client = mqtt.connect(broker.url, { clientId: 'devA', username: 'devA', password: users.devA })
    onTestFinished(() => {
      client.end(true)
    })
    const got = await new Promise<{ body: unknown; retain: boolean }>((resolve, reject) => {
      client.on('message', (topic, payload, packet) => {
        if (topic === topics.baseline())
          resolve({ body: JSON.parse(payload.toString()), retain: packet.retain })
      })
      client.once('connect', () => client.subscribe(topics.baseline(), { qos: 1 }))
      client.once('error', reject)
    })
    expect(got.retain).toBe(true)
    expect(got.body).toEqual(baseline)
  })
})
