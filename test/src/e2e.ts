/**
 * What every dashboard end-to-end test sets up: a real hub in-process serving the BUILT dashboard, the
 * admin's token and a JSON API client that throws on any non-2xx answer, simulated gateways that enroll
 * through the API and speak MQTT like any third-party client, and Debian's Chromium signed in through
 * the dashboard's own form. `startDashboardHub()` in `beforeAll`, `close()` in `afterAll`.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type HubConfigInput, loadHubConfig, type RunningHub, startHub } from '@vigil/hub'
import { type DeviceState, topics } from '@vigil/protocol'
import mqtt, { type MqttClient } from 'mqtt'
import type { Page } from 'playwright-core'
import { type LaunchedBrowser, launchChromium } from './browser.ts'

export const DASHBOARD_DIST = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url))
/** Screenshots of the walk-throughs (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))
export const WAIT = { timeout: 20_000 }

export interface ApiInit {
  method?: string
  /** JSON-encoded unless already a string (an advisory file's text, say). */
  body?: unknown
  /** Bearer token; the admin's by default, `null` for an anonymous request. */
  bearer?: string | null
}

export type JsonApi = <T = unknown>(path: string, init?: ApiInit) => Promise<T>

export interface EnrolledGateway {
  id: string
  client: MqttClient
  /** The root fingerprint the enrollment answered with, when the hub has an operator root. */
  trust?: { fingerprint: string }
  publish(kind: 'state' | 'inventory' | 'hardening' | 'telemetry', payload: unknown): Promise<void>
}

export interface DashboardHub {
  hub: RunningHub
  token: string
  /** Calls `/api/v1<path>`. */
  api: JsonApi
  browser: LaunchedBrowser
  page: Page
  /** Enrolls a gateway through the API and connects it to the hub's broker (closed by `close()`). */
  enroll(name: string, opts?: { will?: boolean }): Promise<EnrolledGateway>
  /** Opens the dashboard, signs in as admin through the form and waits for the fleet page. */
  signIn(): Promise<void>
  close(): Promise<void>
}

export async function startDashboardHub(opts: {
  adminPassword: string
  /** Temp directory prefix, e.g. 'vigil-e2e-feeds-'. */
  prefix: string
  hub?: HubConfigInput
  viewport?: { width: number; height: number }
}): Promise<DashboardHub> {
  if (!existsSync(join(DASHBOARD_DIST, 'index.html'))) {
    throw new Error(
      `the built dashboard is missing (${DASHBOARD_DIST}index.html): run "pnpm build" at the repository root ` +
        '(the root "pnpm test" builds everything first)',
    )
  }
  const dataDir = await mkdtemp(join(tmpdir(), opts.prefix))
  const clients: MqttClient[] = []
  let hub: RunningHub | undefined
  let browser: LaunchedBrowser | undefined
  const close = async () => {
    for (const c of clients) await c.endAsync(true).catch(() => {})
    await browser?.close()
    await hub?.close().catch(() => {})
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    const running = await startHub(
      loadHubConfig(
        {
          httpHost: '127.0.0.1',
          httpPort: 0,
          mqttHost: '127.0.0.1',
          mqttPort: 0,
          dataDir,
          adminPassword: opts.adminPassword,
          dashboardDir: DASHBOARD_DIST,
          logLevel: 'warn',
          ...opts.hub,
        },
        {},
      ),
    )
    hub = running
    let token = ''
    const api: JsonApi = async <T>(path: string, init: ApiInit = {}) => {
      const bearer = init.bearer === undefined ? token : init.bearer
      const res = await fetch(`${running.httpUrl}/api/v1${path}`, {
        method: init.method ?? 'GET',
        headers: {
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        body:
          init.body === undefined
            ? undefined
            : typeof init.body === 'string'
              ? init.body
              : JSON.stringify(init.body),
      })
      const text = await res.text()
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${text}`)
      return (text ? JSON.parse(text) : undefined) as T
    }
    token = (
      await api<{ token: string }>('/session', {
        method: 'POST',
        body: { username: 'admin', password: opts.adminPassword },
        bearer: null,
      })
    ).token
    browser = await launchChromium(opts.viewport ? { viewport: opts.viewport } : {})
    const page = browser.page
    return {
      hub: running,
      token,
      api,
      browser,
      page,
      async enroll(name, enrollOpts = {}) {
        const { token: enrollToken } = await api<{ token: string }>('/enrollment-tokens', {
          method: 'POST',
          body: {},
        })
        const e = await api<{
          deviceId: string
          mqtt: { url: string; username: string; password: string }
          trust?: { fingerprint: string }
        }>('/enroll', { method: 'POST', body: { token: enrollToken, name }, bearer: null })
        const id = e.deviceId
        const offline: DeviceState = { v: 1, status: 'offline', reason: 'will', ts: new Date().toISOString() }
        const client = await mqtt.connectAsync(e.mqtt.url, {
          clientId: id,
          username: e.mqtt.username,
          password: e.mqtt.password,
          reconnectPeriod: 0,
          ...(enrollOpts.will
            ? {
                will: {
                  topic: topics.device(id, 'state'),
                  payload: Buffer.from(JSON.stringify(offline)),
                  qos: 1 as const,
                  retain: true,
                },
              }
            : {}),
        })
        clients.push(client)
        return {
          id,
          client,
          ...(e.trust ? { trust: e.trust } : {}),
          async publish(kind, payload) {
            await client.publishAsync(topics.device(id, kind), JSON.stringify(payload), {
              qos: 1,
              retain: kind === 'state',
            })
          },
        }
      },
      async signIn() {
        await page.goto(running.httpUrl)
        await page.waitForURL(/\/sign-in/, WAIT)
        await page.getByLabel('Username').fill('admin')
        await page.getByLabel('Password').fill(opts.adminPassword)
        await page.getByRole('button', { name: 'Sign in' }).click()
        await page.waitForURL(/\/fleet$/, WAIT)
      },
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}
