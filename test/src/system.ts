/**
 * Helpers for cross-package flows: a real hub on ephemeral ports with a temp data dir, and real
 * agents enrolled through the HTTP API. Everything started here is stopped when the test ends.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, createAgent, enrollDevice, loadAgentConfig } from '@vigil/agent'
import { type HubConfigInput, loadHubConfig, type RunningHub, startHub } from '@vigil/hub'
import type { ClientToServerEvents, ServerToClientEvents } from '@vigil/protocol'
import { io, type Socket } from 'socket.io-client'
import { onTestFinished } from 'vitest'
import { until as poll } from '../../hub/test/until.ts'

export const ADMIN_PASSWORD = 'flow-test admin password'

export async function tempDir(prefix = 'vigil-flow-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

export async function startTestHub(overrides: HubConfigInput = {}): Promise<RunningHub> {
  const config = loadHubConfig(
    {
      httpPort: 0,
      mqttPort: 0,
      httpHost: '127.0.0.1',
      mqttHost: '127.0.0.1',
      dataDir: await tempDir('vigil-hub-'),
      adminPassword: ADMIN_PASSWORD,
      logLevel: 'silent',
      // These flows test delivery, not metering: reports are never held back by the minimum interval.
      deviceReportMinIntervalSec: 0,
      // Simulated fleets enroll from one address: more than the default 30 a minute.
      enrollAttemptsPerMin: 10_000,
      ...overrides,
    },
    {},
  )
  const hub = await startHub(config, { logger: false })
  onTestFinished(() => hub.close())
  return hub
}

/** What the API helpers need of a hub: in-process (`RunningHub`) or a hub process. */
export type HubAddress = Pick<RunningHub, 'httpUrl'>

export interface ApiAnswer<T> {
  status: number
  body: T
  headers: Headers
}

export async function api<T>(
  hub: HubAddress,
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<ApiAnswer<T>> {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('authorization', `Bearer ${init.token}`)
  if (init.body) headers.set('content-type', 'application/json')
  const res = await fetch(`${hub.httpUrl}${path}`, { ...init, headers })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers }
}

export async function signIn(
  hub: HubAddress,
  username = 'admin',
  password = ADMIN_PASSWORD,
): Promise<string> {
  const res = await api<{ token: string }>(hub, '/api/v1/session', {
    method: 'POST',
    body: JSON.stringify({ username, password }),
  })
  if (res.status !== 200) throw new Error(`sign-in failed with ${res.status}: ${JSON.stringify(res.body)}`)
  return res.body.token
}

export async function enrollmentToken(hub: HubAddress, token: string, uses = 1): Promise<string> {
  const res = await api<{ token: string }>(hub, '/api/v1/enrollment-tokens', {
    method: 'POST',
    token,
    body: JSON.stringify({ uses }),
  })
  if (res.status !== 200 && res.status !== 201) throw new Error(`token creation failed: ${res.status}`)
  return res.body.token
}

/** Enrolls a real agent through the API (as `vigil-agent enroll` does) and starts it. */
export async function startAgent(
  hub: HubAddress,
  adminToken: string,
  opts: { name?: string; overrides?: Record<string, unknown> } = {},
): Promise<Agent> {
  const dir = await tempDir('vigil-agent-')
  const credentials = await enrollDevice({
    hubUrl: hub.httpUrl,
    token: await enrollmentToken(hub, adminToken),
    name: opts.name ?? 'flow-gateway',
    dir,
  })
  const config = loadAgentConfig({
    stateDir: dir,
    env: {},
    overrides: { logLevel: 'error', ...opts.overrides },
  })
  const agent = createAgent({ config, credentials })
  await agent.start()
  onTestFinished(() => agent.stop())
  return agent
}

export type DashboardSocket = Socket<ServerToClientEvents, ClientToServerEvents>

export function dashboardSocket(hub: HubAddress, token: string): DashboardSocket {
  const socket: DashboardSocket = io(hub.httpUrl, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  })
  onTestFinished(() => {
    socket.close()
  })
  return socket
}

/** Resolves with the first value `pick` returns for an event, or rejects after `ms`. */
export function waitFor<T>(
  subscribe: (done: (value: T) => void) => void,
  ms = 20_000,
  what = 'event',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)
    subscribe((value) => {
      clearTimeout(timer)
      resolve(value)
    })
  })
}

/**
 * Polls `probe` until it answers something other than `undefined` or `false`, and answers that; throws
 * naming `what` after `ms` (the hub tests' poll helper, every 100 ms). Tests wait on the system's
 * observable state this way, never on a fixed sleep.
 */
export function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 60_000,
): Promise<T> {
  return poll(probe, what, ms, 100)
}

/** The cluster-wide jobs a hub says it holds (its `vigil_job_held` metric), sorted. */
export async function heldBy(hub: HubAddress, token: string): Promise<string[]> {
  const res = await fetch(`${hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  const text = await res.text()
  return [...text.matchAll(/^vigil_job_held\{job="([^"]+)"\} 1$/gm)].map((m) => m[1] as string).sort()
}
