/**
 * The hub's persistent session on an external broker (Debian's Mosquitto): a hub killed with -9 while
 * a device keeps sending comes back with the same client id, and what the broker queued for it while it
 * was away, or had sent it without a PUBACK, is delivered and stored. Nothing acknowledged is lost.
 */
import { PROTOCOL_VERSION, topics } from '@vigil/protocol'
import mqtt from 'mqtt'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ADMIN_PASSWORD, tempDir, until } from '../helpers.ts'
import { hasMosquitto, startMosquitto } from '../mosquitto.ts'
import { type HubProcess, spawnHub } from '../process-hub.ts'

async function storedEventIds(hub: HubProcess, deviceId: string): Promise<Set<string> | undefined> {
  const session = await fetch(`${hub.httpUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  })
  const { token } = (await session.json()) as { token: string }
  const res = await fetch(`${hub.httpUrl}/api/v1/devices/${deviceId}/events?limit=1000`, {
    headers: { authorization: `Bearer ${token}` },
  })
  if (res.status !== 200) return undefined
  const { events } = (await res.json()) as { events: { event: { id: string } }[] }
  return new Set(events.map((e) => e.event.id))
}

describe.skipIf(!hasMosquitto)("the hub's persistent session on an external broker", () => {
  it('a hub killed with -9 gets, on its return, what was queued or in flight for it', async () => {
    const users = { hub: 'hub-secret', devA: 'a-secret' }
    const broker = await startMosquitto(users, 'hub')
    const env = {
      VIGIL_DATA_DIR: await tempDir(),
      VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD,
      VIGIL_MQTT_URL: broker.url,
      VIGIL_MQTT_USERNAME: 'hub',
      VIGIL_MQTT_PASSWORD: users.hub,
    }
    const first = await spawnHub(env)
    const device = mqtt.connect(broker.url, {
      protocolVersion: 5,
      clientId: 'devA',
      username: 'devA',
      password: users.devA,
      reconnectPeriod: 0,
    })
    onTestFinished(() => {
      device.end(true)
    })
    await new Promise<void>((resolve, reject) => {
      device.once('connect', () => resolve())
      device.once('error', reject)
    })
    const N = 200
    const KILL_AT = 60
    const event = (i: number) =>
      JSON.stringify({
        v: PROTOCOL_VERSION,
        id: `e${i}`,
        ts: new Date().toISOString(),
        kind: 'info',
        message: `event ${i}`,
      })
    let killed: Promise<unknown> | undefined
    for (let i = 0; i < N; i++) {
      // Acknowledged by the broker: from here on the device forgets it.
      await device.publishAsync(topics.device('devA', 'event'), event(i), { qos: 1 })
      if (i === KILL_AT) {
        killed = new Promise((resolve) => first.child.once('exit', resolve))
        first.child.kill('SIGKILL')
      }
    }
    await killed
    // The same data directory, so the same default client id: its session is resumed.
    const second = await spawnHub(env)
    const ids = await until(async () => {
      const got = await storedEventIds(second, 'devA')
      return got && got.size >= N ? got : undefined
    }, 'every acknowledged event stored by the returning hub')
    expect([...ids].sort()).toEqual(Array.from({ length: N }, (_, i) => `e${i}`).sort())
  })
})
