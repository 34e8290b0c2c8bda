/**
 * Property-based fuzzing of the MQTT side of a hub running in its own process (issue #14): random and
 * hostile payloads for every device topic kind (state, telemetry, inventory, hardening, event, rollout,
 * cmd/res) from an enrolled device: deep nesting, huge strings, wrong types, prototype keys, invalid
 * UTF-8. Afterwards the process is alive, its memory is bounded, a write made after the fuzz is
 * acknowledged and survives a restart, and nothing refused was stored. Bounded runs (well under a minute).
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { compile, DEVICE_MESSAGES, type Inventory, PROTOCOL_VERSION, topics } from '@vigil/protocol'
import fc from 'fast-check'
import mqtt, { type MqttClient } from 'mqtt'
import { describe, expect, it, onTestFinished } from 'vitest'
import { inventoryContentHash } from '../../src/ingest/content-hash.ts'
import { ADMIN_PASSWORD, tempDir } from '../helpers.ts'
import { type HubProcess, spawnHub } from '../process-hub.ts'

const RUNS_PER_KIND = 40
const KINDS = ['state', 'telemetry', 'inventory', 'hardening', 'event', 'rollout', 'cmd/res'] as const

const nest = (open: string, inner: string, close: string, n: number) =>
  open.repeat(n) + inner + close.repeat(n)
const now = () => new Date().toISOString()
/** A plausible message of each kind, for mutations that keep most of the shape. */
const BASE: Record<(typeof KINDS)[number], Record<string, unknown>> = {
  state: { v: PROTOCOL_VERSION, status: 'online', ts: now(), agentVersion: '0.1.0' },
  telemetry: {
    v: PROTOCOL_VERSION,
    ts: now(),
    cpu: { loadPct: 1 },
    mem: { total: 1, used: 1 },
    disks: [],
    net: { rxBps: 0, txBps: 0 },
    uptimeSec: 1,
    processes: 1,
  },
  inventory: {
    v: PROTOCOL_VERSION,
    ts: now(),
    hash: 'a'.repeat(64),
    os: { platform: 'linux' },
    packages: [],
  },
  hardening: {
    v: PROTOCOL_VERSION,
    ts: now(),
    hash: 'b'.repeat(64),
    baseline: { id: 'x', version: 1 },
    results: [],
  },
  event: { v: PROTOCOL_VERSION, id: 'e1', ts: now(), kind: 'info', message: 'hi' },
  rollout: { v: PROTOCOL_VERSION, ts: now(), manifestId: 'm', state: 'applied' },
  'cmd/res': { v: PROTOCOL_VERSION, tx: 'abc', ok: true },
}
const HOSTILE: (string | Buffer)[] = [
  nest('[', '', ']', 50_000),
  nest('{"a":', '1', '}', 20_000),
  '{"__proto__":{"polluted":true},"v":1}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  JSON.stringify({ v: 1, ts: 'x'.repeat(600_000) }),
  JSON.stringify({ toString: 1, valueOf: 1, hasOwnProperty: 1 }),
  Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
  Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]),
  'null',
  '-1e999',
  '[]',
  '{',
  '\u0000',
  '',
]
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'polluted']

const payload = (kind: (typeof KINDS)[number]) =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
    fc.constantFrom(...HOSTILE),
    fc.string({ maxLength: 300 }),
    // Right shape, wrong types or extra (prototype) keys at any field.
    fc
      .tuple(
        fc.constantFrom(...Object.keys(BASE[kind]), ...PROTO_KEYS),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant('z'.repeat(100_000))),
      )
      .map(([k, v]) => {
        const fields = Object.entries(BASE[kind]).map(
          ([bk, bv]) => `${JSON.stringify(bk)}:${JSON.stringify(bv)}`,
        )
        return `{${[...fields, `${JSON.stringify(k)}:${JSON.stringify(v)}`].join(',')}}`
      }),
    // Valid JSON nested deeper than the protocol allows, inside an otherwise valid message.
    fc.integer({ min: 50, max: 5000 }).map((d) => {
      const fields = Object.entries(BASE[kind]).map(
        ([bk, bv]) => `${JSON.stringify(bk)}:${JSON.stringify(bv)}`,
      )
      return `{${[...fields, `"extra":${nest('{"a":', '1', '}', d)}`].join(',')}}`
    }),
  )

async function call(hub: HubProcess, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${hub.httpUrl}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> }
}

async function signIn(hub: HubProcess) {
  const r = await call(hub, 'POST', '/api/v1/session', undefined, {
    username: 'admin',
    password: ADMIN_PASSWORD,
  })
  expect(r.status).toBe(200)
  return r.json.token as string
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
}

function connect(url: string, creds: { username: string; password: string }, clientId: string) {
  const client = mqtt.connect(url, { ...creds, clientId, reconnectPeriod: 0, connectTimeout: 5000 })
  onTestFinished(() => {
    client.end(true)
  })
  return new Promise<MqttClient>((resolve, reject) => {
    client.once('connect', () => resolve(client))
    client.once('error', reject)
  })
}

describe('hub MQTT fuzz (issue #14)', () => {
  it('survives random and hostile payloads on every device topic kind and stores nothing it refused', async () => {
    const dataDir = await tempDir()
    const env = {
      VIGIL_DATA_DIR: dataDir,
      VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD,
      VIGIL_MQTT_PORT: '0',
      VIGIL_DEVICE_RATE_PER_SEC: '100000',
      VIGIL_DEVICE_RATE_BURST: '100000',
      VIGIL_DEVICE_BYTES_PER_SEC: String(1 << 30),
    }
    const hub = await spawnHub(env)
    const pid = hub.child.pid ?? 0
    const admin = await signIn(hub)
    const t = await call(hub, 'POST', '/api/v1/enrollment-tokens', admin, {})
    const enrolled = await call(hub, 'POST', '/api/v1/enroll', undefined, {
      token: t.json.token,
      name: 'fuzzed',
    })
    expect(enrolled.status).toBe(201)
    const deviceId = enrolled.json.deviceId as string
    const creds = enrolled.json.mqtt as { username: string; password: string }
    const rssBefore = await rssBytes(pid)

    let client: MqttClient | undefined
    let reconnects = 0
    const live = async () => {
      if (client?.connected) return client
      client?.end(true)
      reconnects++
      client = await connect(hub.mqttUrl, creds, deviceId)
      return client
    }
    for (const kind of KINDS) {
      await fc.assert(
        fc.asyncProperty(payload(kind), async (p) => {
          const c = await live()
          const closed = new Promise<'closed'>((resolve) => c.once('close', () => resolve('closed')))
          const answer = await Promise.race([
            c.publishAsync(topics.device(deviceId, kind), p, { qos: 1 }),
            closed,
          ])
          // Every payload on its own topic is acknowledged (stored, or dropped as invalid): never a
          // disconnect, which would make a real agent resend it for ever.
          return answer !== 'closed'
        }),
        { numRuns: RUNS_PER_KIND, seed: 14 },
      )
    }
    expect(reconnects).toBe(1)

    // Alive, answering, memory bounded.
    expect(hub.child.exitCode).toBeNull()
    expect((await call(hub, 'GET', '/healthz')).status).toBe(200)
    expect((await rssBytes(pid)) - rssBefore).toBeLessThan(256 * 1024 * 1024)

    // A write after the fuzz is acknowledged (durable) and survives a restart.
    const after = {
      v: PROTOCOL_VERSION,
      id: 'after-fuzz',
      ts: now(),
      kind: 'info',
      message: 'after the fuzz',
    }
    await (await live()).publishAsync(topics.device(deviceId, 'event'), JSON.stringify(after), { qos: 1 })
    client?.end(true)
    hub.child.kill('SIGTERM')
    await new Promise((resolve) => hub.child.once('exit', resolve))
    const again = await spawnHub(env)
    const admin2 = await signIn(again)
    const events = (await call(again, 'GET', `/api/v1/devices/${deviceId}/events?limit=1000`, admin2)).json
      .events as { event: Record<string, unknown> }[]
    expect(events.some((e) => e.event.id === 'after-fuzz')).toBe(true)

    // Nothing refused was stored: every stored event is a valid event, every stored inventory and
    // hardening report is valid and filed under its own content hash, the device row is intact.
    const isEvent = compile(DEVICE_MESSAGES.event.schema)
    for (const e of events) expect(isEvent.parse(JSON.stringify(e.event)).ok, JSON.stringify(e)).toBe(true)
    const isInventory = compile(DEVICE_MESSAGES.inventory.schema)
    for (const name of await readdir(join(dataDir, 'inventories')).catch(() => [])) {
      const inv = JSON.parse(await readFile(join(dataDir, 'inventories', name), 'utf8')) as Inventory
      expect(isInventory.parse(JSON.stringify(inv)).ok).toBe(true)
      expect(`${inventoryContentHash(inv)}.json`).toBe(name)
    }
    const hardening = await readdir(join(dataDir, 'hardening')).catch(() => [])
    expect(hardening).toEqual([])
    const device = (await call(again, 'GET', `/api/v1/devices/${deviceId}`, admin2)).json
    expect(device.name).toBe('fuzzed')
    expect(JSON.stringify(device)).not.toContain('polluted')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  }, 120_000)
})
