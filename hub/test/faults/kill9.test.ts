import { type Inventory, PROTOCOL_VERSION, topics } from '@vigil/protocol'
import mqtt, { type MqttClient } from 'mqtt'
import { describe, expect, it, onTestFinished } from 'vitest'
import { inventoryContentHash } from '../../src/ingest/content-hash.ts'
import { ADMIN_PASSWORD, birth, telemetry, tempDir, until } from '../helpers.ts'
import { type HubProcess, spawnHub } from '../process-hub.ts'

async function api<T>(
  hub: HubProcess,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const res = await fetch(`${hub.httpUrl}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  return (await res.json()) as T
}

const inventoryOf = (n: number) => {
  const packages = [
    { name: `pkg${n}`, version: '1.0', ecosystem: 'deb' as const, purl: `pkg:deb/debian/pkg${n}@1.0` },
  ]
  const inv: Inventory = {
    v: PROTOCOL_VERSION,
    ts: new Date().toISOString(),
    hash: '',
    os: { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' },
    packages,
  }
  inv.hash = inventoryContentHash(inv)
  return inv
}

/** A simulated device that answers send-inventory, as the real agent does. */
async function device(url: string, creds: { deviceId: string; mqtt: { password: string } }, n: number) {
  const client: MqttClient = mqtt.connect(url, {
    clientId: creds.deviceId,
    username: creds.deviceId,
    password: creds.mqtt.password,
    reconnectPeriod: 0,
  })
  onTestFinished(() => {
    client.end(true)
  })
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve())
    client.once('error', reject)
  })
  const inv = inventoryOf(n)
  await client.subscribeAsync(topics.command(creds.deviceId), { qos: 1 })
  client.on('message', (_topic, payload) => {
    if (JSON.parse(payload.toString()).cmd === 'send-inventory') {
      client.publish(topics.device(creds.deviceId, 'inventory'), JSON.stringify(inv), { qos: 1 })
    }
  })
  await client.publishAsync(
    topics.device(creds.deviceId, 'state'),
    JSON.stringify(birth({ inventoryHash: inv.hash })),
    { qos: 1, retain: true },
  )
  return { client, inv }
}

describe('kill -9 during steady ingest, then restart', () => {
  it('opens the store and every device’s latest state is present or re-requested and arrives', async () => {
    const dataDir = await tempDir()
    const env = {
      VIGIL_DATA_DIR: dataDir,
      VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD,
      VIGIL_MQTT_PORT: '0',
      VIGIL_FLUSH_INTERVAL_MS: '50',
    }
    const first = await spawnHub(env)
    const { token } = await api<{ token: string }>(first, 'POST', '/api/v1/session', {
      username: 'admin',
      password: ADMIN_PASSWORD,
    })
    const t = await api<{ token: string }>(first, 'POST', '/api/v1/enrollment-tokens', { uses: 5 }, token)
    const creds: { deviceId: string; mqtt: { password: string } }[] = []
    for (let i = 0; i < 5; i++) {
      creds.push(
        await api<{ deviceId: string; mqtt: { password: string } }>(first, 'POST', '/api/v1/enroll', {
          token: t.token,
          name: `gw${i}`,
        }),
      )
    }
    const devices = await Promise.all(creds.map((c, i) => device(first.mqttUrl, c, i)))
    // steady ingest: telemetry from every device until the kill
    let sent = 0
    const timer = setInterval(() => {
      for (const [i, d] of devices.entries()) {
        const c = creds[i]
        if (c && d.client.connected)
          d.client.publish(topics.device(c.deviceId, 'telemetry'), JSON.stringify(telemetry(i)))
        sent++
      }
    }, 5)
    onTestFinished(() => clearInterval(timer))
    await until(() => sent > 200, 'steady ingest')
    first.child.kill('SIGKILL')
    await new Promise((r) => first.child.once('exit', r))
    clearInterval(timer)
    for (const d of devices) d.client.end(true)

    const second = await spawnHub(env)
    const { token: token2 } = await api<{ token: string }>(second, 'POST', '/api/v1/session', {
      username: 'admin',
      password: ADMIN_PASSWORD,
    })
    const listed = await api<{ total: number }>(second, 'GET', '/api/v1/devices', undefined, token2)
    expect(listed.total).toBe(5)
    await Promise.all(creds.map((c, i) => device(second.mqttUrl, c, i)))
    await until(async () => {
      const all = await Promise.all(
        creds.map((c) =>
          api<{ online: boolean; inventory: { hash: string } | null }>(
            second,
            'GET',
            `/api/v1/devices/${c.deviceId}`,
            undefined,
            token2,
          ),
        ),
      )
      return all.every((d, i) => d.online && d.inventory?.hash === inventoryOf(i).hash) ? true : undefined
    }, 'every device healed')
  })
})
