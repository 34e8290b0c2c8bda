/**
 * Issue 16 point 4 in the browser: before a rollout is approved, the manifest panel says how many
 * targeted devices trust the vendor's current keys and what to do for the others — the exact
 * `vigil-hub trust delegate` command while the vendor is not delegated, then, once it is, the device
 * that has not received the delegation yet with its fix. Debian's Chromium (playwright-core) against a
 * real hub in-process serving the BUILT dashboard; devices speak MQTT and report their trust in births.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadHubConfig, type RunningHub, startHub } from '@vigil/hub'
import {
  type DelegationPayload,
  type DeviceState,
  type ManifestPayload,
  type RootPayload,
  type TrustPendingDelegation,
  topics,
} from '@vigil/protocol'
import { generateKeyPair, signDelegation, signManifest, signRoot, trustKeyOf } from '@vigil/protocol/signing'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchChromium } from '../src/browser.ts'

const DIST = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url))
const ADMIN_PASSWORD = 'e2e-trust-admin-password'
const WAIT = { timeout: 20_000 }
const MODEL = 'Lynx 5512'

let hub: RunningHub
let browser: LaunchedBrowser
let dataDir: string
let token: string
const clients: MqttClient[] = []

async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; bearer?: string } = {},
): Promise<T> {
  const res = await fetch(`${hub.httpUrl}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      authorization: `Bearer ${init.bearer ?? token}`,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${text}`)
  return JSON.parse(text) as T
}

/** A gateway that enrolls and sends a birth saying which delegations it holds. */
async function gateway(name: string) {
  const { token: t } = await api<{ token: string }>('/enrollment-tokens', { method: 'POST', body: {} })
  const res = await fetch(`${hub.httpUrl}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: t, name }),
  })
  const e = (await res.json()) as {
    deviceId: string
    mqtt: { url: string; username: string; password: string }
    trust: { fingerprint: string }
  }
  const client = await mqtt.connectAsync(e.mqtt.url, {
    clientId: e.deviceId,
    username: e.mqtt.username,
    password: e.mqtt.password,
    reconnectPeriod: 0,
  })
  clients.push(client)
  const birth = async (delegations: Record<string, number>) => {
    const s: DeviceState = {
      v: 1,
      status: 'online',
      ts: new Date().toISOString(),
      identity: {
        hostname: name,
        vendor: 'Westermo',
        model: MODEL,
        firmwareVersion: '7.1.0',
        os: {
          platform: 'linux',
          id: 'debian',
          prettyName: 'Debian GNU/Linux 12',
          kernel: '6.1.0',
          arch: 'x64',
        },
      },
      trust: { root: { version: 1, fingerprint: e.trust.fingerprint }, delegations },
    }
    await client.publishAsync(topics.device(e.deviceId, 'state'), JSON.stringify(s), { qos: 1, retain: true })
  }
  await birth({})
  return { id: e.deviceId, name, birth }
}

beforeAll(async () => {
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error(
      `the built dashboard is missing (${DIST}index.html): run "pnpm build" at the repository root`,
    )
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-e2e-trust-'))
  hub = await startHub(
    loadHubConfig(
      {
        httpHost: '127.0.0.1',
        httpPort: 0,
        mqttHost: '127.0.0.1',
        mqttPort: 0,
        dataDir,
        adminPassword: ADMIN_PASSWORD,
        dashboardDir: DIST,
        logLevel: 'warn',
      },
      {},
    ),
  )
  const res = await fetch(`${hub.httpUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  })
  token = ((await res.json()) as { token: string }).token
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => {})
  await browser?.close()
  await hub?.close().catch(() => {})
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
}, 60_000)

describe('pre-approval trust check in the dashboard (Chromium, real hub)', () => {
  it('shows who trusts the vendor’s keys and the exact command for the others, before approving', async () => {
    // Operator root (2 of 3), installed before the gateways enroll.
    const roots = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const now = Date.now()
    const root: RootPayload = {
      type: 'vigil-root',
      version: 1,
      keys: roots.map((k) => trustKeyOf(k.publicKeyPem)),
      threshold: 2,
      issuedAt: new Date(now - 60_000).toISOString(),
      expires: new Date(now + 365 * 86_400_000).toISOString(),
    }
    await api('/trust/root', {
      method: 'POST',
      body: signRoot(
        root,
        roots.map((k) => k.privateKeyPem),
      ),
    })
    const gws = [await gateway('lynx-north'), await gateway('lynx-south')]

    // A vendor added afterwards, and its signed manifest for both gateways.
    const vendor = await api<{ id: string; token: string }>('/vendors', {
      method: 'POST',
      body: { name: 'Westermo' },
    })
    const key = generateKeyPair()
    await api(`/vendors/${vendor.id}/keys`, { method: 'POST', body: { publicKeyPem: key.publicKeyPem } })
    const payload: ManifestPayload = {
      vendor: 'Westermo',
      product: 'lynx-os',
      version: '8.0.0',
      releasedAt: new Date(now - 3_600_000).toISOString(),
      expiresAt: new Date(now + 30 * 86_400_000).toISOString(),
      appliesTo: { models: [MODEL], versions: 'vers:generic/<8.0.0' },
      fixes: ['CVE-2024-3094'],
      artifacts: [
        {
          name: 'lynx-8.0.0.bin',
          url: 'https://updates.invalid/lynx-8.0.0.bin',
          sha256: 'a'.repeat(64),
          size: 4096,
        },
      ],
    }
    await api('/manifests', {
      method: 'POST',
      bearer: vendor.token,
      body: signManifest(payload, [key.privateKeyPem]),
    })

    const page = browser.page
    await page.goto(hub.httpUrl)
    await page.waitForURL(/\/sign-in/, WAIT)
    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill(ADMIN_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/fleet$/, WAIT)
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Manifests', exact: true })
      .click()
    await page.waitForURL(/\/manifests$/, WAIT)
    const open = async () => {
      await page.getByRole('button', { name: 'Westermo lynx-os 8.0.0' }).click()
      return page.getByRole('region', { name: 'Westermo lynx-os 8.0.0' })
    }
    let panel = await open()
    const summary = panel.getByTestId('trust-summary')
    await summary.waitFor(WAIT)
    expect(await summary.textContent()).toContain('0 of 2 targeted devices trust Westermo’s current keys')
    expect(await panel.getByTestId('trust-command').textContent()).toContain(
      "vigil-hub trust delegate --vendor 'Westermo' --key root-1.pem --key root-2.pem",
    )
    const trust = () => panel.getByRole('region', { name: 'Device trust before approval' })
    await trust().getByRole('cell', { name: 'lynx-north' }).waitFor(WAIT)
    expect(await trust().textContent()).toContain('DELEGATION_PENDING')
    await panel.getByRole('button', { name: 'Approve rollout' }).waitFor(WAIT)

    // Two root key holders sign the pending delegation; one gateway has received it.
    const pending = await api<TrustPendingDelegation>('/trust/delegations/pending?vendor=Westermo')
    await api('/trust/delegations', {
      method: 'POST',
      body: signDelegation(pending.payload as DelegationPayload, [
        roots[0]!.privateKeyPem,
        roots[2]!.privateKeyPem,
      ]),
    })
    await gws[0]!.birth({ Westermo: 1 })
    await expect
      .poll(
        async () =>
          (
            await api<{ trusting: number }>(
              `/manifests/${(await api<{ manifests: { id: string }[] }>('/manifests')).manifests[0]!.id}/trust-check`,
            )
          ).trusting,
        WAIT,
      )
      .toBe(1)
    await page.reload()
    await page.waitForURL(/\/manifests$/, WAIT)
    panel = await open()
    await panel.getByText('1 of 2 targeted devices trust Westermo’s current keys').waitFor(WAIT)
    expect(await panel.getByTestId('trust-command').count()).toBe(0)
    expect(await trust().getByRole('cell', { name: 'lynx-north' }).count()).toBe(0)
    const row = trust().getByRole('row').filter({ hasText: 'lynx-south' })
    await row.waitFor(WAIT)
    expect(await row.textContent()).toContain('DELEGATION_NOT_DELIVERED')
    expect(await row.textContent()).toContain('next birth')
  }, 120_000)
})
