/**
 * Issue 2's flow across packages: a real hub (embedded aedes broker, HTTP API, socket.io) on ephemeral
 * ports, a real agent enrolled through the API and reporting this machine over MQTT, the device seen
 * through the REST API and through a dashboard's socket.io connection.
 */
import type { DeviceList, DeviceSummary } from '@vigil/protocol'
import mqtt from 'mqtt'
import { describe, expect, it } from 'vitest'
import { api, dashboardSocket, signIn, startAgent, startTestHub, waitFor } from '../src/system.ts'

describe('spine: agent → MQTT → hub → API and socket.io', () => {
  it('shows a real agent online with live telemetry, through the API and the live stream', async () => {
    const hub = await startTestHub()
    const token = await signIn(hub)

    const socket = dashboardSocket(hub, token)
    const snapshot = await waitFor<{ devices: DeviceSummary[] }>(
      (done) => socket.on('fleet:snapshot', done),
      10_000,
      'snapshot',
    )
    expect(snapshot.devices).toEqual([])

    const seen = waitFor<DeviceSummary>(
      (done) => {
        socket.on('fleet:delta', (delta) => {
          const row = delta.devices.find(
            (d) => d.online && d.cpuPct !== undefined && d.memUsedPct !== undefined,
          )
          if (row) done(row)
        })
      },
      30_000,
      'the device online with telemetry in a fleet:delta',
    )

    const agent = await startAgent(hub, token, { name: 'flow-gateway' })
    const row = await seen
    expect(row.id).toBe(agent.deviceId)
    expect(row.name).toBe('flow-gateway')
    expect(row.cpuPct).toBeGreaterThanOrEqual(0)
    expect(row.memUsedPct).toBeGreaterThan(0)

    const list = await api<DeviceList>(hub, '/api/v1/devices', { token })
    expect(list.status).toBe(200)
    const listed = list.body.devices.find((d) => d.id === agent.deviceId)
    expect(listed).toMatchObject({ name: 'flow-gateway', online: true })
    expect(listed?.os).toBeTruthy()

    expect((await api(hub, '/api/v1/devices')).status).toBe(401)
    expect((await api(hub, '/api/v1/devices', { token: 'not-a-token' })).status).toBe(401)

    await agent.stop()
    const offline = await waitFor<boolean>(
      (done) => {
        const poll = async () => {
          const res = await api<DeviceList>(hub, '/api/v1/devices', { token })
          if (res.body.devices.find((d) => d.id === agent.deviceId)?.online === false) done(true)
          else setTimeout(poll, 100)
        }
        void poll()
      },
      10_000,
      'the device to go offline after the agent stops',
    )
    expect(offline).toBe(true)
  })

  it('refuses anonymous MQTT connections and wrong passwords at the broker', async () => {
    const hub = await startTestHub()
    const token = await signIn(hub)
    const agent = await startAgent(hub, token)

    const attempt = (opts: mqtt.IClientOptions) =>
      new Promise<string>((resolve) => {
        const client = mqtt.connect(hub.mqttUrl, { reconnectPeriod: 0, connectTimeout: 5000, ...opts })
        client.on('connect', () => {
          client.end(true)
          resolve('connected')
        })
        client.on('error', (err) => {
          client.end(true)
          resolve(err.message)
        })
      })

    expect(await attempt({})).not.toBe('connected')
    expect(await attempt({ username: agent.deviceId, password: 'wrong', clientId: agent.deviceId })).not.toBe(
      'connected',
    )
    expect(await attempt({ username: 'nobody', password: 'x', clientId: 'nobody' })).not.toBe('connected')
  })
})
