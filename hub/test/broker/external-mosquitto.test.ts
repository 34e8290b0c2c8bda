import { topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { birth, METRICS_TOKEN, telemetry, tempDir, until } from '../helpers.ts'
import { connectClient, hasMosquitto, startMosquitto } from '../mosquitto.ts'
import { type HubProcess, spawnHub } from '../process-hub.ts'

async function telemetryCount(hub: HubProcess): Promise<number> {
  const text = await (
    await fetch(`${hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text()
  const line = text.split('\n').find((l) => l.startsWith('vigil_mqtt_messages_total{kind="telemetry"}'))
  return line ? Number(line.split(' ').pop()) : 0
}

describe.skipIf(!hasMosquitto)("external broker mode against Debian's Mosquitto", () => {
  it('two hub processes share the device traffic through an MQTT 5 shared subscription', async () => {
    const users = { hub: 'hub-secret', devA: 'a-secret', devB: 'b-secret' }
    const broker = await startMosquitto(users, 'hub')
    const hubs = await Promise.all(
      [1, 2].map(async () =>
        spawnHub({
          VIGIL_DATA_DIR: await tempDir(),
          VIGIL_ADMIN_PASSWORD: 'admin-password',
          VIGIL_MQTT_URL: broker.url,
          VIGIL_MQTT_USERNAME: 'hub',
          VIGIL_MQTT_PASSWORD: users.hub,
        }),
      ),
    )
    for (const h of hubs) {
      const ready = await (await fetch(`${h.httpUrl}/readyz`)).json()
      expect(ready).toMatchObject({ status: 'ready', broker: 'external' })
    }

    const a = await connectClient(broker.url, 'devA', users.devA)
    const b = await connectClient(broker.url, 'devB', users.devB)
    const N = 100
    for (let i = 0; i < N; i++) {
      await a.publishAsync(topics.device('devA', 'telemetry'), JSON.stringify(telemetry(i % 100)), { qos: 1 })
      await b.publishAsync(topics.device('devB', 'telemetry'), JSON.stringify(telemetry(i % 100)), { qos: 1 })
    }
    const counts = await until(async () => {
      const c = await Promise.all(hubs.map(telemetryCount))
      return c[0] !== undefined && c[1] !== undefined && c[0] + c[1] === 2 * N ? c : undefined
    }, 'every message ingested by exactly one hub')
    // the broker spread the load: each hub took a share, none twice
    expect(counts[0]).toBeGreaterThan(0)
    expect(counts[1]).toBeGreaterThan(0)

    // Commands flow back through the external broker: a birth naming an unknown inventory is answered.
    await a.subscribeAsync(topics.command('devA'), { qos: 1 })
    const command = new Promise<string>((resolve) =>
      a.once('message', (_t, p) => resolve(JSON.parse(p.toString()).cmd)),
    )
    await a.publishAsync(
      topics.device('devA', 'state'),
      JSON.stringify(birth({ inventoryHash: 'c'.repeat(64) })),
      {
        qos: 1,
        retain: true,
      },
    )
    expect(await command).toBe('send-inventory')

    // The broker's ACL (documented in hub/README.md) confines a device to its own topics:
    // under MQTT 5 a foreign publish gets a negative PUBACK instead of being delivered.
    await expect(
      a.publishAsync(topics.device('devB', 'telemetry'), JSON.stringify(telemetry(1)), { qos: 1 }),
    ).rejects.toThrow(/not authori[sz]ed/i)
  })

  it('rides out a broker outage: the hub resubscribes and ingest resumes', async () => {
    const users = { hub: 'hub-secret', devA: 'a-secret' }
    const first = await startMosquitto(users, 'hub')
    const hub = await spawnHub({
      VIGIL_DATA_DIR: await tempDir(),
      VIGIL_ADMIN_PASSWORD: 'admin-password',
      VIGIL_MQTT_URL: first.url,
      VIGIL_MQTT_USERNAME: 'hub',
      VIGIL_MQTT_PASSWORD: users.hub,
    })
    const publishOne = async (cpu: number) => {
      const client = await connectClient(first.url, 'devA', users.devA)
      await client.publishAsync(topics.device('devA', 'telemetry'), JSON.stringify(telemetry(cpu)), {
        qos: 1,
      })
      await client.endAsync()
    }
    await publishOne(1)
    await until(async () => ((await telemetryCount(hub)) === 1 ? true : undefined), 'first message')
    await first.stop()
    await startMosquitto(users, 'hub', first.port)
    // the hub reconnects on its own (1 s period) and subscribes again; a message is then ingested
    await until(async () => {
      await publishOne(2).catch(() => undefined)
      return (await telemetryCount(hub)) >= 2 ? true : undefined
    }, 'ingest after the outage')
  })
})
