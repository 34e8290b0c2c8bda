import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DeviceState, PROTOCOL_VERSION, type Telemetry } from '@vigil/protocol'
import mqtt, { type MqttClient } from 'mqtt'
import { onTestFinished } from 'vitest'
import { type HubConfigInput, loadHubConfig } from '../src/config.ts'
import { type RunningHub, startHub } from '../src/server.ts'

export { until } from './until.ts'

export const ADMIN_PASSWORD = 'correct horse battery'
/** The `/metrics` bearer token every test hub is configured with. */
export const METRICS_TOKEN = 'test-metrics-token-0123456789'

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-hub-test-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A real hub on ephemeral ports and a temp data dir, closed when the test ends. */
export async function testHub(overrides: HubConfigInput = {}, dataDir?: string): Promise<RunningHub> {
  const dir = dataDir ?? (await tempDir())
  const config = loadHubConfig(
    {
      httpPort: 0,
      mqttPort: 0,
      httpHost: '127.0.0.1',
      mqttHost: '127.0.0.1',
      dataDir: dir,
      adminPassword: ADMIN_PASSWORD,
      logLevel: 'silent',
      metricsToken: METRICS_TOKEN,
      // Tests replay many reports per device quickly; the interval's own tests set it.
      deviceReportMinIntervalSec: 0,
      ...overrides,
    },
    {},
  )
  const hub = await startHub(config, { logger: false })
  onTestFinished(() => hub.close())
  return hub
}

export async function adminToken(hub: RunningHub): Promise<string> {
  const res = await hub.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { username: 'admin', password: ADMIN_PASSWORD },
  })
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.body}`)
  return res.json<{ token: string }>().token
}

export interface Enrolled {
  deviceId: string
  mqtt: { url: string; username: string; password: string }
}

export async function enroll(hub: RunningHub, name = 'gw-1'): Promise<Enrolled> {
  const token = await adminToken(hub)
  const t = await hub.app.inject({
    method: 'POST',
    url: '/api/v1/enrollment-tokens',
    headers: { authorization: `Bearer ${token}` },
    payload: {},
  })
  const res = await hub.app.inject({
    method: 'POST',
    url: '/api/v1/enroll',
    headers: { host: '127.0.0.1' },
    payload: { token: t.json<{ token: string }>().token, name },
  })
  if (res.statusCode !== 201) throw new Error(`enroll failed: ${res.body}`)
  return res.json<Enrolled>()
}

/** Connects a real MQTT client; resolves on CONNACK or rejects with the broker's refusal. */
export async function connectDevice(
  hub: RunningHub,
  opts: { username?: string; password?: string; clientId?: string; protocolVersion?: 4 | 5 } = {},
): Promise<MqttClient> {
  const client = mqtt.connect(hub.mqttUrl, {
    reconnectPeriod: 0,
    connectTimeout: 5000,
    protocolVersion: opts.protocolVersion ?? 4,
    ...(opts.clientId !== undefined ? { clientId: opts.clientId } : {}),
    ...(opts.username !== undefined ? { username: opts.username } : {}),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
  })
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

export async function connectEnrolled(hub: RunningHub, dev: Enrolled): Promise<MqttClient> {
  return connectDevice(hub, {
    username: dev.mqtt.username,
    password: dev.mqtt.password,
    clientId: dev.deviceId,
  })
}

export function birth(overrides: Partial<DeviceState> = {}): DeviceState {
  return {
    v: PROTOCOL_VERSION,
    status: 'online',
    ts: new Date().toISOString(),
    agentVersion: '0.1.0',
    identity: {
      hostname: 'gw-host',
      vendor: 'Acme Medical',
      model: 'GW-100',
      os: {
        platform: 'linux',
        id: 'debian',
        prettyName: 'Debian GNU/Linux 12',
        kernel: '6.1.0',
        arch: 'x64',
      },
    },
    ...overrides,
  }
}

export function telemetry(cpu = 12.5): Telemetry {
  return {
    v: PROTOCOL_VERSION,
    ts: new Date().toISOString(),
    cpu: { loadPct: cpu },
    mem: { total: 1000, used: 250 },
    disks: [],
    net: { rxBps: 0, txBps: 0 },
    uptimeSec: 100,
    processes: 10,
  }
}

/** The value of one Prometheus sample line, e.g. `vigil_mqtt_rejected_total{reason="json",device="x"}`. */
export async function metric(
  hub: RunningHub,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const res = await hub.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  })
  let total = 0
  for (const line of res.body.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      total += Number(line.split(' ').pop())
  }
  return total
}
