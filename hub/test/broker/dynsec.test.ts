/**
 * Device credentials on a real Mosquitto 2 with its dynamic security plugin
 * (`VIGIL_MQTT_CREDENTIALS=mosquitto-dynsec`): enrollment through the hub's HTTP API gives credentials
 * that work on the broker, confined to the device's own topics; disabling cuts the device off there.
 */
import { PROTOCOL_VERSION, topics } from '@vigil/protocol'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { describe, expect, it, onTestFinished } from 'vitest'
import { connectDynsec, type DynsecControl } from '../../src/broker/dynsec.ts'
import { DEVICE_GROUP, DEVICE_ROLE, deviceRole, HUB_ROLE } from '../../src/broker/dynsec-credentials.ts'
import type { HubConfigInput } from '../../src/config.ts'
import type { RunningHub } from '../../src/server.ts'
import { adminToken, birth, type Enrolled, enroll, tempDir, testHub, until } from '../helpers.ts'
import { hasDynsec, type Mosquitto, startMosquittoDynsec } from '../mosquitto.ts'

const ADMIN = { username: 'dynsec-admin', password: 'dynsec-admin-password' }
const HUB_USER = { username: 'vigil-hub', password: 'hub-mqtt-password' }

function dynsecConfig(broker: Mosquitto, extra: HubConfigInput = {}): HubConfigInput {
  return {
    mqttUrl: broker.url,
    mqttUsername: HUB_USER.username,
    mqttPassword: HUB_USER.password,
    mqttCredentials: 'mosquitto-dynsec',
    mqttDynsecUsername: ADMIN.username,
    mqttDynsecPassword: ADMIN.password,
    mqttDynsecTimeoutMs: 1000,
    ...extra,
  }
}

/** Connects with MQTT 5 (negative PUBACKs and SUBACK reason codes); rejects on refusal. */
async function connect(url: string, opts: IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...opts })
  onTestFinished(() => {
    client.end(true)
  })
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve())
    client.once('error', reject)
    client.once('close', () => reject(new Error('connection closed')))
  })
  return client
}

const asDevice = (e: Enrolled) =>
  connect(e.mqtt.url, { clientId: e.deviceId, username: e.mqtt.username, password: e.mqtt.password })

async function api(hub: RunningHub, method: 'PATCH' | 'DELETE' | 'POST', url: string, payload?: object) {
  const token = await adminToken(hub)
  return hub.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  })
}

async function control(broker: Mosquitto): Promise<DynsecControl> {
  const c = await connectDynsec({ url: broker.url, ...ADMIN, timeoutMs: 2000 })
  onTestFinished(() => c.close())
  return c
}

/** The PUBACK reason code of a QoS 1 publish: 0, or 135 (not authorized) and the like. */
async function pub(client: MqttClient, topic: string, payload: unknown, retain = false): Promise<number> {
  try {
    await client.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain })
    return 0
  } catch (err) {
    return (err as { code?: number }).code ?? -1
  }
}

/** The SUBACK of one subscription: the granted QoS, or the refusal's reason code. */
async function sub(client: MqttClient, topic: string): Promise<number> {
  try {
    const granted = await client.subscribeAsync(topic, { qos: 1 })
    return granted[0]?.qos ?? -1
  } catch (err) {
    const packet = (err as { packet?: { granted?: number[] } }).packet
    return packet?.granted?.[0] ?? -1
  }
}

const closed = (client: MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()))

describe.skipIf(!hasDynsec)("device credentials through Mosquitto's dynamic security plugin", () => {
  it('enrollment gives credentials that work on the broker, confined to the device’s own topics', async () => {
    const broker = await startMosquittoDynsec(ADMIN)
    const hub = await testHub(dynsecConfig(broker))
    const a = await enroll(hub, 'gw-a')
    const b = await enroll(hub, 'gw-b')
    expect(a.mqtt).toEqual({ url: broker.url, username: a.deviceId, password: a.mqtt.password })

    const dev = await asDevice(a)
    expect(await pub(dev, topics.device(a.deviceId, 'state'), birth(), true)).toBe(0)
    await until(() => hub.app.hub.registry.get(a.deviceId)?.identity?.hostname, 'the birth stored')

    // Another device's topics: publishing is refused (PUBACK 0x87), subscribing too (SUBACK 0x87).
    expect(await pub(dev, topics.device(b.deviceId, 'state'), birth())).toBe(135)
    expect(await sub(dev, topics.command(b.deviceId))).toBe(135)
    expect(await sub(dev, 'vigil/v1/dev/#')).toBe(135)
    expect(await sub(dev, topics.command(a.deviceId))).toBe(1)
    // …and the hub topics the hub writes are not the device's to write.
    expect(await pub(dev, topics.baseline(), {})).toBe(135)
    expect(hub.app.hub.registry.get(b.deviceId)?.identity).toBeUndefined()

    // The wrong password, or no enrollment, gets nothing.
    await expect(connect(broker.url, { username: a.deviceId, password: 'wrong' })).rejects.toThrow()
    await expect(connect(broker.url, { username: 'nobody', password: a.mqtt.password })).rejects.toThrow()

    // Commands reach the device through the broker (the hub's role writes them).
    const cmd = new Promise<string>((resolve) =>
      dev.once('message', (_t, p) => resolve(JSON.parse(p.toString()).cmd)),
    )
    await dev.publishAsync(
      topics.device(a.deviceId, 'state'),
      JSON.stringify(birth({ inventoryHash: 'c'.repeat(64) })),
      { qos: 1, retain: true },
    )
    expect(await cmd).toBe('send-inventory')
  })

  it('disabling cuts the device off on the broker, enabling lets it back, rotation, deleting removes it', async () => {
    const broker = await startMosquittoDynsec(ADMIN)
    const hub = await testHub(dynsecConfig(broker))
    const a = await enroll(hub, 'gw-a')
    const dev = await asDevice(a)
    const cut = closed(dev)

    const off = await api(hub, 'PATCH', `/api/v1/devices/${a.deviceId}`, { disabled: true })
    expect(off.statusCode).toBe(200)
    await cut // the plugin kicked the live connection
    await expect(asDevice(a)).rejects.toThrow(/Not authorized|Bad User Name or Password/i)

    expect((await api(hub, 'PATCH', `/api/v1/devices/${a.deviceId}`, { disabled: false })).statusCode).toBe(
      200,
    )
    const again = await asDevice(a)
    expect(await pub(again, topics.device(a.deviceId, 'state'), birth())).toBe(0)

    // A new password: the connection made with the old one is dropped, the old one no longer works.
    const rotatedOut = closed(again)
    const rotated = await api(hub, 'POST', `/api/v1/devices/${a.deviceId}/credentials`)
    expect(rotated.statusCode).toBe(200)
    const fresh = rotated.json<Enrolled>()
    expect(fresh).toMatchObject({ deviceId: a.deviceId, mqtt: { url: broker.url, username: a.deviceId } })
    expect(fresh.mqtt.password).not.toBe(a.mqtt.password)
    await rotatedOut
    await expect(asDevice(a)).rejects.toThrow()
    const renewed = await asDevice(fresh)
    expect(await pub(renewed, topics.device(a.deviceId, 'state'), birth())).toBe(0)

    const gone = closed(renewed)
    expect((await api(hub, 'DELETE', `/api/v1/devices/${a.deviceId}`)).statusCode).toBe(204)
    await gone
    await expect(asDevice(a)).rejects.toThrow()
    const c = await control(broker)
    const [client, role] = await c.send([
      { command: 'getClient', username: a.deviceId },
      { command: 'getRole', rolename: deviceRole(a.deviceId) },
    ])
    expect(client?.error).toBe('Client not found')
    expect(role?.error).toBe('Role not found')
  })

  it('a broker that does not answer fails the change with a code and leaves the hub as it was', async () => {
    const broker = await startMosquittoDynsec(ADMIN)
    // The hub's own dynsec admin, which a second admin can take the rights from.
    const c = await control(broker)
    // A dynsec admin for the hub with only the control topics (as docs/deploy.md makes it).
    const ctl = '$CONTROL/dynamic-security/#'
    await c.run([
      {
        command: 'createRole',
        rolename: 'vigil-dynsec-admin',
        acls: [
          { acltype: 'publishClientSend', topic: ctl, allow: true },
          { acltype: 'publishClientReceive', topic: ctl, allow: true },
          { acltype: 'subscribePattern', topic: ctl, allow: true },
        ],
      },
      {
        command: 'createClient',
        username: 'hub-admin',
        password: 'hub-admin-password',
        roles: [{ rolename: 'vigil-dynsec-admin' }],
      },
    ])
    const hub = await testHub(
      dynsecConfig(broker, {
        mqttDynsecUsername: 'hub-admin',
        mqttDynsecPassword: 'hub-admin-password',
        mqttDynsecTimeoutMs: 500,
      }),
    )
    const a = await enroll(hub, 'gw-a')
    const token = await adminToken(hub)
    const t = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: { authorization: `Bearer ${token}` },
      payload: { uses: 1 },
    })
    const enrollToken = t.json<{ token: string }>().token

    await c.run([{ command: 'removeClientRole', username: 'hub-admin', rolename: 'vigil-dynsec-admin' }])
    const refused = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/enroll',
      payload: { token: enrollToken, name: 'gw-b' },
    })
    expect(refused.statusCode).toBe(502)
    expect(refused.json()).toMatchObject({ error: { code: 'VIGIL_BROKER_FAILED' } })
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(
      /did not answer createRole within 500 ms/,
    )
    expect(hub.app.hub.registry.list({}).devices.map((d) => d.name)).toEqual(['gw-a'])

    const disable = await api(hub, 'PATCH', `/api/v1/devices/${a.deviceId}`, { disabled: true })
    expect(disable.statusCode).toBe(502)
    expect(hub.app.hub.registry.get(a.deviceId)?.disabled).toBe(false)
    const del = await api(hub, 'DELETE', `/api/v1/devices/${a.deviceId}`)
    expect(del.statusCode).toBe(502)
    expect(hub.app.hub.registry.get(a.deviceId)).toBeDefined()

    // Rights back: the token's use was given back, so the same token enrolls now.
    await c.run([{ command: 'addClientRole', username: 'hub-admin', rolename: 'vigil-dynsec-admin' }])
    const ok = await until(async () => {
      const r = await hub.app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        payload: { token: enrollToken, name: 'gw-b' },
      })
      return r.statusCode === 201 ? r.json<Enrolled>() : undefined
    }, 'enrollment once the admin has its rights again')
    const dev = await asDevice(ok)
    expect(await pub(dev, topics.device(ok.deviceId, 'state'), birth())).toBe(0)
  })

  it('restarting the hub sets nothing up twice and leaves connected devices connected', async () => {
    const broker = await startMosquittoDynsec(ADMIN)
    const dir = await tempDir()
    const first = await testHub(dynsecConfig(broker), dir)
    const a = await enroll(first, 'gw-a')
    const dev = await asDevice(a)
    let kicked = false
    dev.on('close', () => {
      kicked = true
    })
    await first.close()
    const second = await testHub(dynsecConfig(broker), dir)
    // A hub in another data directory starting on the same broker (a second hub of the cluster).
    const other = await testHub(dynsecConfig(broker))

    const c = await control(broker)
    const [roles, groups, hubClient] = await c.run([
      { command: 'listRoles', verbose: false, count: -1, offset: 0 },
      { command: 'listGroups', verbose: false, count: -1, offset: 0 },
      { command: 'getClient', username: HUB_USER.username },
    ])
    const names = [...((roles?.data?.roles as string[] | undefined) ?? [])].sort()
    expect(names).toEqual(['admin', DEVICE_ROLE, deviceRole(a.deviceId), HUB_ROLE].sort())
    expect(groups?.data?.groups).toEqual([DEVICE_GROUP])
    expect((hubClient?.data?.client as { roles?: unknown[] } | undefined)?.roles).toEqual([
      { rolename: HUB_ROLE },
    ])
    // No role was rewritten, so the device's connection was not dropped, and it still works.
    expect(kicked).toBe(false)
    const ev = {
      v: PROTOCOL_VERSION,
      id: 'e1',
      ts: new Date().toISOString(),
      kind: 'info',
      message: 'after restart',
    }
    expect(await pub(dev, topics.device(a.deviceId, 'event'), ev)).toBe(0)
    // The shared subscription hands it to one of the two hubs.
    const tokens = [await adminToken(second), await adminToken(other)]
    await until(async () => {
      for (const [i, h] of [second, other].entries()) {
        const r = await h.app.inject({
          method: 'GET',
          url: `/api/v1/devices/${a.deviceId}/events`,
          headers: { authorization: `Bearer ${tokens[i]}` },
        })
        if (r.statusCode !== 200) continue
        const events = r.json<{ events: { event: { message: string } }[] }>().events
        if (events.some((e) => e.event.message === 'after restart')) return true
      }
      return undefined
    }, 'the event stored by one of the hubs')
  })
})
