/**
 * Issue 13, point 3 "any hub, same truth", across packages: a real PostgreSQL 15, a real Mosquitto with
 * its dynamic security plugin, two real hub processes sharing both, and a real agent. The device is
 * enrolled on hub A; its messages land on either hub (shared subscription); hub B answers with the
 * same device, accepts A's session, streams live what A ingested, and a message delivered twice (once
 * to each hub) is applied once.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createAgent, enrollDevice, loadAgentConfig } from '@vigil/agent'
import type { DeviceList, FeedItem, Telemetry } from '@vigil/protocol'
import mqtt from 'mqtt'
import { describe, expect, it, onTestFinished } from 'vitest'
import { hasMosquittoDynsec, startMosquittoDynsec } from '../src/mosquitto.ts'
import { hasPostgres, hubsOnOneDatabase } from '../src/postgres.ts'
import {
  api,
  type DashboardSocket,
  dashboardSocket,
  enrollmentToken,
  type HubAddress,
  signIn,
  tempDir,
  until,
} from '../src/system.ts'

const ADMIN = { username: 'dynsec-admin', password: 'dynsec admin password' }

/** `vigil_ingest_duration_seconds_count{kind}` of a hub: the messages of that kind it applied itself. */
async function ingested(hub: HubAddress, token: string, kind: string): Promise<number> {
  const res = await fetch(`${hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  const text = await res.text()
  const m = new RegExp(`^vigil_ingest_duration_seconds_count\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)`, 'm').exec(
    text,
  )
  return m ? Number(m[1]) : 0
}

function sample(cpu: number): Telemetry {
  return {
    v: 1,
    ts: new Date().toISOString(),
    cpu: { loadPct: cpu },
    mem: { total: 1000, used: 500 },
    disks: [],
    net: { rxBps: 0, txBps: 0 },
    uptimeSec: 1,
    processes: 1,
  }
}

describe.skipIf(!hasMosquittoDynsec || !hasPostgres)('two hubs on one PostgreSQL and one Mosquitto', () => {
  it('answer with the same truth, share sessions, stream live across hubs and apply a message once', async () => {
    const broker = await startMosquittoDynsec(ADMIN)
    const { start: startHub } = await hubsOnOneDatabase({
      VIGIL_MQTT_URL: broker.url,
      VIGIL_MQTT_USERNAME: 'vigil-hub',
      VIGIL_MQTT_PASSWORD: 'hub mqtt password',
      VIGIL_MQTT_CREDENTIALS: 'mosquitto-dynsec',
      VIGIL_MQTT_DYNSEC_USERNAME: ADMIN.username,
      VIGIL_MQTT_DYNSEC_PASSWORD: ADMIN.password,
    })
    const start = (name: string) => startHub({ VIGIL_MQTT_CLIENT_ID: name })
    const [hubA, hubB] = await Promise.all([start('hub-a'), start('hub-b')])
    const step = (what: string) => console.log(`[cluster-sync] ${what}`)
    step('two hubs up')

    // A session opened on A is valid on B, as a cookie too.
    const token = await signIn(hubA)
    const onB = await until(
      "A's session accepted by B",
      async () => {
        const res = await fetch(`${hubB.httpUrl}/api/v1/devices`, {
          headers: { cookie: `vigil_session=${token}` },
        })
        return res.status === 200 ? res.status : undefined
      },
      5000,
    )
    expect(onB).toBe(200)

    step('session shared')
    // A dashboard on B, from the start.
    const socketB: DashboardSocket = dashboardSocket(hubB, token)
    const feedB: FeedItem[] = []
    const rowsB = new Map<string, { online: boolean; packages?: number }>()
    const telemetryB: number[] = []
    socketB.on('feed:item', (item) => feedB.push(item))
    socketB.on('fleet:delta', (delta) => {
      for (const d of delta.devices) rowsB.set(d.id, d)
    })
    socketB.on('device:telemetry', (s) => telemetryB.push(s.telemetry.cpu.loadPct))
    await until('the dashboard connected to B', () => (socketB.connected ? true : undefined), 30_000)

    // A real agent enrolled on A; its traffic goes through the broker to either hub.
    const agentDir = await tempDir('vigil-agent-')
    const credentials = await enrollDevice({
      hubUrl: hubA.httpUrl,
      token: await enrollmentToken(hubA, token),
      name: 'cluster-gateway',
      dir: agentDir,
    })
    expect(credentials.mqtt.url).toBe(broker.url)
    const agent = createAgent({
      config: loadAgentConfig({
        stateDir: agentDir,
        env: {},
        overrides: { logLevel: 'error', telemetryIntervalSec: 1 },
      }),
      credentials,
    })
    await agent.start()
    onTestFinished(() => agent.stop())
    const deviceId = agent.deviceId

    // B answers with the device as the agent reported it (birth, inventory, telemetry), and A the same.
    const deviceOn = async (hub: HubAddress) => {
      const list = await api<DeviceList>(hub, '/api/v1/devices', { token })
      const d = list.body.devices.find((x) => x.id === deviceId)
      return d?.online && d.packages !== undefined && d.os ? d : undefined
    }
    step('agent started')
    const rowB = await until('the device with its inventory on B', () => deviceOn(hubB), 30_000).catch(
      async (err) => {
        for (const hub of [hubA, hubB]) {
          const list = await api<DeviceList>(hub, '/api/v1/devices', { token })
          console.log(JSON.stringify(list.body.devices), hub.output())
        }
        throw err
      },
    )
    expect(rowB).toMatchObject({ name: 'cluster-gateway', online: true })
    const rowA = await until('the device on A', () => deviceOn(hubA), 30_000)
    expect(rowA.packages).toBe(rowB.packages)
    // The device's detail (inventory, hardening, identity, findings) is the same on both hubs.
    type Detail = {
      inventory: { hash: string; packages: number } | null
      hardening: unknown
      identity: unknown
      findings: unknown[]
    }
    const detail = async (hub: HubAddress) => {
      const res = await api<Detail>(hub, `/api/v1/devices/${deviceId}`, { token })
      expect(res.status).toBe(200)
      const { inventory, hardening, identity, findings } = res.body
      return { inventory, hardening, identity, findings }
    }
    const detailB = await until(
      'the inventory on B',
      async () => {
        const d = await detail(hubB)
        return d.inventory ? d : undefined
      },
      30_000,
    )
    expect(detailB.inventory?.packages).toBe(rowB.packages)
    // Both read again each time: B's first answer may predate a later report of the agent or a
    // finding the correlation holder wrote, which reach both hubs a moment apart.
    let last = ''
    await until(
      'A and B to agree',
      async () => {
        const [a, b] = [JSON.stringify(await detail(hubA)), JSON.stringify(await detail(hubB))]
        last = `A: ${a}\nB: ${b}`
        return a === b ? true : undefined
      },
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${last}`)
    })
    // The live row on B followed the device (fleet:delta), whichever hub ingested its messages.
    await until(
      'the live row of the device on B',
      () => (rowsB.get(deviceId)?.online ? true : undefined),
      30_000,
    )

    step('device agreed')
    // A second MQTT connection with the device's credentials publishes what a redelivery would.
    const creds = JSON.parse(await readFile(join(agentDir, 'credentials.json'), 'utf8')) as typeof credentials
    const twin = await mqtt.connectAsync(broker.url, {
      username: creds.mqtt.username,
      password: creds.mqtt.password,
      clientId: `${deviceId}-twin`,
      protocolVersion: 5,
      reconnectPeriod: 0,
    })
    onTestFinished(() => twin.endAsync(true))

    // Live telemetry across hubs: B's dashboard watches the device; samples go round-robin to the two
    // hubs, and B's dashboard gets them all.
    const ack = await socketB.emitWithAck('device:subscribe', deviceId)
    expect(ack.ok).toBe(true)
    await new Promise((r) => setTimeout(r, 500)) // B's watch announced to A
    const telemetryBefore = {
      a: await ingested(hubA, token, 'telemetry'),
      b: await ingested(hubB, token, 'telemetry'),
    }
    const marks = [11.1, 22.2, 33.3, 44.4, 55.5, 66.6, 77.7, 88.8]
    for (const cpu of marks)
      await twin.publishAsync(`vigil/v1/dev/${deviceId}/telemetry`, JSON.stringify(sample(cpu)), { qos: 1 })
    await until(
      'every marked sample on B',
      () => (marks.every((m) => telemetryB.includes(m)) ? true : undefined),
      30_000,
    )
    const byA = (await ingested(hubA, token, 'telemetry')) - telemetryBefore.a
    const byB = (await ingested(hubB, token, 'telemetry')) - telemetryBefore.b
    console.log(
      `telemetry ingested meanwhile: hub A ${byA}, hub B ${byB}; B's dashboard got all ${marks.length} marked`,
    )
    expect(byA).toBeGreaterThan(0) // some of what B's dashboard saw was ingested by A

    step('telemetry across hubs')
    // A duplicate: one sequenced event delivered several times, landing on both hubs, is applied once.
    const event = {
      v: 1,
      id: 'dup-event-1',
      ts: new Date().toISOString(),
      kind: 'info',
      message: 'delivered twice',
      seq: 1,
      epoch: 'duplicate-test',
    }
    const refusedBefore = await Promise.all([hubA, hubB].map((h) => ingested(h, token, 'event')))
    for (let i = 0; i < 6; i++)
      await twin.publishAsync(`vigil/v1/dev/${deviceId}/event`, JSON.stringify(event), { qos: 1 })
    const events = async (hub: HubAddress) => {
      const res = await api<{ events: { event: { id: string } }[] }>(
        hub,
        `/api/v1/devices/${deviceId}/events?limit=500`,
        { token },
      )
      return res.body.events.filter((e) => e.event.id === event.id).length
    }
    await until('the event on B', async () => ((await events(hubB)) > 0 ? true : undefined), 30_000)
    await new Promise((r) => setTimeout(r, 1000)) // every copy handled
    const applied = (await Promise.all([hubA, hubB].map((h) => ingested(h, token, 'event')))).map(
      (n, i) => n - (refusedBefore[i] ?? 0),
    )
    console.log(`event copies handled: hub A ${applied[0]}, hub B ${applied[1]}`)
    expect(await events(hubA)).toBe(1)
    expect(await events(hubB)).toBe(1)
    // The feed item of the event reached B's dashboard once, whichever hub applied it.
    await until(
      'the feed item on B',
      () => (feedB.some((f) => f.message === event.message) ? true : undefined),
      30_000,
    )
    expect(feedB.filter((f) => f.message === event.message).length).toBe(1)

    // Out of order: the broker spreads a device's messages over the hubs, so an event may arrive after
    // a later message of the device was applied (by either hub). It is no repeat: stored, once.
    const later = {
      ...event,
      id: 'order-2',
      message: 'sent second, arrives first',
      seq: 2,
      epoch: 'order-test',
    }
    const earlier = { ...later, id: 'order-1', message: 'sent first, arrives second', seq: 1 }
    const storedOn = async (hub: HubAddress, id: string) => {
      const res = await api<{ events: { event: { id: string } }[] }>(
        hub,
        `/api/v1/devices/${deviceId}/events?limit=500`,
        { token },
      )
      return res.body.events.filter((e) => e.event.id === id).length
    }
    await twin.publishAsync(`vigil/v1/dev/${deviceId}/event`, JSON.stringify(later), { qos: 1 })
    await until(
      'the later event on B',
      async () => ((await storedOn(hubB, later.id)) > 0 ? true : undefined),
      30_000,
    )
    for (let i = 0; i < 2; i++)
      await twin.publishAsync(`vigil/v1/dev/${deviceId}/event`, JSON.stringify(earlier), { qos: 1 })
    await until(
      'the earlier event on B',
      async () => ((await storedOn(hubB, earlier.id)) > 0 ? true : undefined),
      30_000,
    )
    await until(
      'the earlier event on A',
      async () => ((await storedOn(hubA, earlier.id)) > 0 ? true : undefined),
      30_000,
    )
    // Listed once from the first answer on: a copy still in flight on one hub is not listed beside the
    // stored one (PgLog.read drops an unsaved entry whose dedup key (device, epoch, seq) is stored).
    expect(await storedOn(hubA, earlier.id)).toBe(1)
    expect(await storedOn(hubB, earlier.id)).toBe(1)

    // Sign-out on B ends the session on A too.
    const out = await fetch(`${hubB.httpUrl}/api/v1/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(out.status).toBeLessThan(300)
    await until(
      'the session ended on A',
      async () => {
        const res = await api(hubA, '/api/v1/devices', { token })
        return res.status === 401 ? true : undefined
      },
      5000,
    )
  }, 240_000)
})
