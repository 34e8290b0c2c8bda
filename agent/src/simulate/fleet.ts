/**
 * N virtual gateways in one process: each is a real agent (real MQTT link, outbox, commands, hardening
 * engine) whose collectors report a simulated device: a shared gateway image, a CSAF-derived identity
 * and a wandering telemetry signal. Devices already enrolled under `baseDir` are reused, so restarting a
 * simulation does not spend more uses of the enrollment token.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { DeviceIdentity, Inventory, Telemetry } from '@vigil/protocol'
import { PROTOCOL_VERSION } from '@vigil/protocol/wire'
import { type AckedMessage, type Agent, createAgent } from '../agent.js'
import type { AgentCollectors } from '../collectors/index.js'
import { buildInventory } from '../collectors/inventory.js'
import { loadAgentConfig } from '../config/load.js'
import { type Credentials, readCredentials } from '../credentials.js'
import { enrollDevice } from '../enroll.js'
import { type Logger, silentLogger } from '../logger.js'
import type { DeviceProfile } from './catalog.js'
import type { GatewayImage } from './images.js'
import { gatewayFiles, virtualCheckEnv } from './virtual-env.js'

export interface FleetOptions {
  count: number
  hubUrl: string
  token: string
  baseDir: string
  images: GatewayImage[]
  profiles: DeviceProfile[]
  telemetryIntervalSec: number
  /** each gateway records an `info` event this often (through its outbox, QoS 1), spread over the interval */
  eventIntervalSec?: number
  /** each state message a gateway got the broker's PUBACK for */
  onAcked?(deviceId: string, message: AckedMessage): void
  /** enrollments/starts in flight at once */
  concurrency?: number
  /** when aborted, no further gateway is enrolled or started (those started are returned) */
  signal?: AbortSignal
  log?: Logger
  onProgress?(phase: 'enrolled' | 'started', done: number, total: number): void
}

export interface Fleet {
  agents: Agent[]
  stop(): Promise<void>
}

/** Deterministic pseudo-random numbers (mulberry32) so a fleet looks the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Devices sharing an image and a firmware share one inventory (hashed once, not once per device). */
const inventoryCache = new Map<string, Inventory>()

function imageInventory(image: GatewayImage, firmware: string, now: Date): Inventory {
  const key = `${image.name}|${firmware}`
  let inv = inventoryCache.get(key)
  if (!inv) {
    inv = buildInventory({ ts: now, os: image.os, firmwareVersion: firmware, parses: [image.parse] })
    inventoryCache.set(key, inv)
  }
  return { ...inv, ts: now.toISOString() }
}

function simCollectors(i: number, image: GatewayImage, profile: DeviceProfile): AgentCollectors {
  const rnd = seeded(i + 1)
  const firmware = rnd() < 0.6 || !profile.fixed ? profile.affected : profile.fixed
  const hostname = `gw-${String(i + 1).padStart(4, '0')}`
  let cpu = 5 + rnd() * 30
  let mem = 0.3 + rnd() * 0.4
  const total = (512 << (i % 3)) * 1024 * 1024
  const started = Date.now() - Math.floor(rnd() * 30 * 86400_000)
  const files = gatewayFiles({ rootLogin: rnd() < 0.2, telnet: rnd() < 0.05, forwarding: rnd() < 0.3 })
  return {
    inventory: async (now) => imageInventory(image, firmware, now),
    identity: async (inv): Promise<DeviceIdentity> => ({
      hostname,
      vendor: profile.vendor,
      model: profile.model,
      serial: `SIM${String(i + 1).padStart(6, '0')}`,
      firmwareVersion: firmware,
      os: inv.os,
    }),
    telemetry: async (now): Promise<Telemetry> => {
      cpu = Math.min(100, Math.max(0, cpu + (rnd() - 0.5) * 10))
      mem = Math.min(0.95, Math.max(0.1, mem + (rnd() - 0.5) * 0.02))
      return {
        v: PROTOCOL_VERSION,
        ts: now.toISOString(),
        cpu: { loadPct: Math.round(cpu * 10) / 10, loadAvg: [cpu / 50, cpu / 55, cpu / 60] },
        mem: { total, used: Math.round(total * mem) },
        disks: [{ mount: '/', size: 8e9, used: Math.round(8e9 * (0.4 + (i % 5) / 10)) }],
        temps: [{ label: 'cpu-thermal', celsius: Math.round((45 + cpu / 4) * 10) / 10 }],
        net: { rxBps: Math.round(rnd() * 50_000), txBps: Math.round(rnd() * 20_000) },
        uptimeSec: Math.round((now.getTime() - started) / 1000),
        processes: 80 + (i % 40),
      }
    },
    checkEnv: virtualCheckEnv(files),
  }
}

async function pool<T>(
  items: T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const i = next++
      await fn(items[i] as T, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}

export class SimulateError extends Error {
  constructor(
    readonly code: 'VIGIL_SIMULATE_OTHER_HUB',
    message: string,
  ) {
    super(message)
  }
}

export async function startFleet(o: FleetOptions): Promise<Fleet> {
  if (o.images.length === 0 || o.profiles.length === 0)
    throw new Error('simulate needs at least one image and one profile')
  const log = o.log ?? silentLogger
  const indexes = Array.from({ length: o.count }, (_, i) => i)
  const gwDir = (i: number) => join(o.baseDir, `gw-${String(i + 1).padStart(4, '0')}`)
  // Gateways enrolled by an earlier run are reused only with the hub that enrolled them: checked for
  // all before any enrollment, so a refusal spends no token use.
  const existing: (Credentials | undefined)[] = []
  await pool(indexes, 50, async (i) => {
    existing[i] = await readCredentials(gwDir(i)).catch(() => undefined)
  })
  const hub = URL.canParse(o.hubUrl) ? new URL(o.hubUrl).origin : o.hubUrl
  const other = existing.find((c) => c !== undefined && c.hubUrl !== hub)
  if (other)
    throw new SimulateError(
      'VIGIL_SIMULATE_OTHER_HUB',
      `the gateways under ${o.baseDir} were enrolled with ${other.hubUrl}, not ${hub}: use another --dir (or remove that one)`,
    )
  const creds: Credentials[] = []
  let enrolled = 0
  await pool(
    indexes,
    o.concurrency ?? 10,
    async (i) => {
      const dir = gwDir(i)
      await mkdir(dir, { recursive: true, mode: 0o700 })
      let c = existing[i]
      if (!c) {
        c = await enrollDevice({
          hubUrl: o.hubUrl,
          token: o.token,
          name: `sim-gw-${String(i + 1).padStart(4, '0')}`,
          dir,
        })
      }
      creds[i] = c
      o.onProgress?.('enrolled', ++enrolled, o.count)
    },
    o.signal,
  )
  const agents: Agent[] = []
  const timers: NodeJS.Timeout[] = []
  const startEvents = (agent: Agent, i: number, ms: number) => {
    let n = 0
    const tick = () => {
      n++
      agent.emit('info', `simulated event ${n}`).catch((err: Error) => log.warn(err.message))
    }
    // Spread over the interval, so that N gateways do not all write at the same instant.
    const first = setTimeout(
      () => {
        tick()
        timers.push(setInterval(tick, ms))
      },
      Math.floor(seeded(i + 13)() * ms),
    )
    timers.push(first)
  }
  let started = 0
  await pool(
    indexes,
    (o.concurrency ?? 10) * 2,
    async (i) => {
      const c = creds[i] as Credentials
      const dir = gwDir(i)
      const image = o.images[i % o.images.length] as GatewayImage
      const profile = o.profiles[Math.floor(seeded(i + 7)() * o.profiles.length)] as DeviceProfile
      const config = loadAgentConfig({
        stateDir: dir,
        env: {},
        overrides: { telemetryIntervalSec: o.telemetryIntervalSec },
      })
      const agent = createAgent({
        config,
        credentials: c,
        collectors: simCollectors(i, image, profile),
        logger: log,
        statusFile: false,
        ...(o.onAcked ? { onAcked: (m: AckedMessage) => o.onAcked?.(c.deviceId, m) } : {}),
      })
      await agent.start()
      agents.push(agent)
      if (o.eventIntervalSec) startEvents(agent, i, o.eventIntervalSec * 1000)
      o.onProgress?.('started', ++started, o.count)
    },
    o.signal,
  )
  return {
    agents,
    async stop() {
      for (const t of timers.splice(0)) clearTimeout(t)
      await pool(agents, 50, (a) => a.stop())
    },
  }
}
