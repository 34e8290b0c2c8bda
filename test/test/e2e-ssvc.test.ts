/**
 * Issue 17 end to end: Debian's Chromium (playwright-core) against a real hub started in-process serving
 * the BUILT dashboard, two simulated gateways (enrolled through the API, speaking MQTT) with the same
 * vulnerable libxml2 (real OSV record DLA-3012-1). An operator sets one device's clinical function on
 * its device page; the register, ordered by SSVC decision, ranks that device's finding first.
 */
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inventoryContentHash, loadHubConfig, type RunningHub, startHub } from '@vigil/hub'
import { type DeviceState, type FindingList, type Inventory, topics } from '@vigil/protocol'
import mqtt, { type MqttClient } from 'mqtt'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchChromium } from '../src/browser.ts'

const DIST = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url))
const DLA_3012 = fileURLToPath(
  new URL(
    '../../testdata/osv/google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs/Debian/DLA-3012-1.json',
    import.meta.url,
  ),
)
const ADMIN_PASSWORD = 'e2e-ssvc-admin-password'
const WAIT = { timeout: 20_000 }

let hub: RunningHub
let browser: LaunchedBrowser
let page: Page
let dataDir: string
let token: string
const clients: MqttClient[] = []

async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; auth?: boolean } = {},
): Promise<T> {
  const res = await fetch(`${hub.httpUrl}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.auth === false ? {} : { authorization: `Bearer ${token}` }),
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
  return JSON.parse(text) as T
}

/** A gateway that enrolls, says it is online (vendor Acme Medical, model GW-100) and reports libxml2. */
async function gateway(name: string): Promise<string> {
  const { token: enrollToken } = await api<{ token: string }>('/enrollment-tokens', {
    method: 'POST',
    body: {},
  })
  const enrolled = await api<{ deviceId: string; mqtt: { url: string; username: string; password: string } }>(
    '/enroll',
    { method: 'POST', body: { token: enrollToken, name }, auth: false },
  )
  const id = enrolled.deviceId
  const client = await mqtt.connectAsync(enrolled.mqtt.url, {
    clientId: id,
    username: enrolled.mqtt.username,
    password: enrolled.mqtt.password,
    reconnectPeriod: 0,
  })
  clients.push(client)
  const birth: DeviceState = {
    v: 1,
    status: 'online',
    ts: new Date().toISOString(),
    agentVersion: 'e2e-sim',
    identity: {
      hostname: `${name}.local`,
      vendor: 'Acme Medical',
      model: 'GW-100',
      os: { platform: 'linux', id: 'debian', versionId: '9', kernel: '4.9', arch: 'x64' },
    },
  }
  await client.publishAsync(topics.device(id, 'state'), JSON.stringify(birth), { qos: 1, retain: true })
  const inventory: Inventory = {
    v: 1,
    ts: new Date().toISOString(),
    hash: '',
    os: { platform: 'linux', id: 'debian', versionId: '9', codename: 'stretch', kernel: '4.9', arch: 'x64' },
    packages: [
      {
        name: 'libxml2',
        version: '2.9.4+dfsg1-2.2+deb9u6',
        ecosystem: 'deb',
        purl: 'pkg:deb/debian/libxml2@2.9.4%2Bdfsg1-2.2%2Bdeb9u6?distro=debian-9',
      },
    ],
  }
  inventory.hash = inventoryContentHash(inventory)
  await client.publishAsync(topics.device(id, 'inventory'), JSON.stringify(inventory), { qos: 1 })
  return id
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 20_000
  while (Date.now() < end) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Device names of the register's rows, top to bottom. */
async function registerOrder(): Promise<string[]> {
  const rows = page.locator('[role="row"][data-key]')
  const n = await rows.count()
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const text = (await rows.nth(i).textContent()) ?? ''
    out.push(text.includes('pump-gw') ? 'pump-gw' : text.includes('kiosk-gw') ? 'kiosk-gw' : text)
  }
  return out
}

beforeAll(async () => {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error(
      `the built dashboard is missing (${DIST}index.html): run "pnpm build" at the repository root`,
    )
  }
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-e2e-ssvc-'))
  const config = loadHubConfig(
    {
      httpHost: '127.0.0.1',
      httpPort: 0,
      mqttHost: '127.0.0.1',
      mqttPort: 0,
      dataDir,
      adminPassword: ADMIN_PASSWORD,
      dashboardDir: DIST,
      logLevel: 'warn',
      deviceReportMinIntervalSec: 0,
    },
    {},
  )
  hub = await startHub(config)
  token = (
    await api<{ token: string }>('/session', {
      method: 'POST',
      body: { username: 'admin', password: ADMIN_PASSWORD },
      auth: false,
    })
  ).token
  browser = await launchChromium()
  page = browser.page
}, 60_000)

afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => {})
  await browser?.close()
  await hub?.close().catch(() => {})
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
}, 60_000)

describe('clinical context re-ranks findings (issue 17, Chromium, real hub)', () => {
  it('setting a device’s clinical function on its page moves its finding to the top of the register', async () => {
    await api('/advisories', { method: 'POST', body: readFileSync(DLA_3012, 'utf8') })
    const pump = await gateway('pump-gw')
    const kiosk = await gateway('kiosk-gw')
    await until(async () => (await api<FindingList>('/findings')).total === 2, 'two findings')
    // Both non-clinical; the pump gateway sits on a small network, the kiosk on a controlled one:
    // pump none × small × yes × low → defer; kiosk none × controlled × yes × low → scheduled.
    await api(`/devices/${pump}`, {
      method: 'PATCH',
      body: { context: { clinicalFunction: 'non-clinical', exposure: 'small' } },
    })
    await api(`/devices/${kiosk}`, {
      method: 'PATCH',
      body: { context: { clinicalFunction: 'non-clinical', exposure: 'controlled' } },
    })

    await page.goto(hub.httpUrl)
    await page.waitForURL(/\/sign-in/, WAIT)
    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill(ADMIN_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/fleet$/, WAIT)
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Risk register', exact: true })
      .click()
    await page.waitForURL(/\/register$/, WAIT)
    await page.locator('[role="row"][data-key]', { hasText: 'pump-gw' }).getByText('Defer').waitFor(WAIT)
    await page.locator('[role="row"][data-key]', { hasText: 'kiosk-gw' }).getByText('Scheduled').waitFor(WAIT)
    expect(await registerOrder()).toEqual(['kiosk-gw', 'pump-gw'])

    // The operator opens the pump gateway's page and says what it does: life-sustaining.
    await page
      .locator('[role="row"][data-key]', { hasText: 'pump-gw' })
      .getByRole('link', { name: 'pump-gw' })
      .click()
    await page.waitForURL(new RegExp(`/devices/${pump}$`), WAIT)
    const panel = page.getByRole('region', { name: 'Clinical context' })
    await panel.getByLabel('Clinical function').selectOption('life-sustaining')
    await panel.getByRole('button', { name: 'Save context' }).click()
    await panel.getByTestId('context-effective').getByText('life-sustaining').waitFor(WAIT)
    // none × small × yes × very high → scheduled (CERT/CC deployer table row 3)
    await page.getByRole('table', { name: 'Findings' }).getByText('Scheduled').waitFor(WAIT)

    // The register ranks it first now: same outcome as the kiosk, higher human impact (patient safety).
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Risk register', exact: true })
      .click()
    await page.waitForURL(/\/register$/, WAIT)
    await page.locator('[role="row"][data-key]', { hasText: 'pump-gw' }).getByText('Scheduled').waitFor(WAIT)
    expect(await registerOrder()).toEqual(['pump-gw', 'kiosk-gw'])
    // and the finding shows its decision points with their sources
    await page
      .locator('[role="row"][data-key]', { hasText: 'pump-gw' })
      .getByRole('button', { name: 'CVE-2022-29824' })
      .click()
    const human = page.locator('[data-point="humanImpact"]')
    await human.waitFor(WAIT)
    expect(await human.textContent()).toContain('very high')
    expect(await page.locator('[data-point="safetyImpact"]').textContent()).toContain(
      'clinical function life-sustaining (default)',
    )
  })
})
