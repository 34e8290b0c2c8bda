/**
 * Feeds end to end: Debian's Chromium (playwright-core) against a real hub serving the BUILT dashboard.
 * An admin adds an OSV feed pointing at a local mirror (built from the repository's testdata) on the
 * Feeds page, syncs it, and the gateway's finding appears in the risk register — no restart, no upload.
 * The "no advisories" notice is shown on the fleet before, and gone after.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inventoryContentHash, loadHubConfig, type RunningHub, startHub } from '@vigil/hub'
import { type DeviceState, type Inventory, topics } from '@vigil/protocol'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Mirror, osvBucket, osvRecords } from '../../hub/test/feeds/mirror.ts'
import { type LaunchedBrowser, launchChromium } from '../src/browser.ts'

const DIST = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url))
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))
const ADMIN_PASSWORD = 'e2e-feeds-password'
const WAIT = { timeout: 20_000 }

let hub: RunningHub
let browser: LaunchedBrowser
let dataDir: string
let client: MqttClient | undefined

async function api<T>(token: string, path: string, body?: unknown, method = 'POST'): Promise<T> {
  const res = await fetch(`${hub.httpUrl}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body ?? {}),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text}`)
  return JSON.parse(text) as T
}

beforeAll(async () => {
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error(
      `the built dashboard is missing (${DIST}index.html): run "pnpm build" at the repository root`,
    )
  await mkdir(ARTIFACTS, { recursive: true })
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-e2e-feeds-'))
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
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await client?.endAsync(true).catch(() => {})
  await browser?.close()
  await hub?.close().catch(() => {})
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
}, 60_000)

describe('feeds end to end (Chromium, real hub, local mirror)', () => {
  it('an admin adds an OSV feed on the Feeds page, syncs it, and the finding appears', async () => {
    const mirror = await new Mirror().start()
    await osvBucket(mirror, 'Debian', osvRecords('Debian'))

    // a Debian 9 gateway with a vulnerable libxml2, enrolled through the API, speaking MQTT
    const { token } = await api<{ token: string }>('', '/session', {
      username: 'admin',
      password: ADMIN_PASSWORD,
    })
    const { token: enrollToken } = await api<{ token: string }>(token, '/enrollment-tokens')
    const dev = await api<{ deviceId: string; mqtt: { url: string; username: string; password: string } }>(
      '',
      '/enroll',
      { token: enrollToken, name: 'ward-7-gateway' },
    )
    client = await mqtt.connectAsync(dev.mqtt.url, {
      clientId: dev.deviceId,
      username: dev.mqtt.username,
      password: dev.mqtt.password,
      reconnectPeriod: 0,
    })
    const birth: DeviceState = {
      v: 1,
      status: 'online',
      ts: new Date().toISOString(),
      agentVersion: 'e2e-sim',
    }
    await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth), {
      qos: 1,
      retain: true,
    })
    const packages: Inventory['packages'] = [
      {
        name: 'libxml2',
        version: '2.9.4+dfsg1-2.2+deb9u6',
        ecosystem: 'deb',
        purl: 'pkg:deb/debian/libxml2@2.9.4%2Bdfsg1-2.2%2Bdeb9u6?distro=debian-9',
      },
    ]
    const inventory: Inventory = {
      v: 1,
      ts: new Date().toISOString(),
      hash: '',
      os: {
        platform: 'linux',
        id: 'debian',
        versionId: '9',
        codename: 'stretch',
        kernel: '4.9',
        arch: 'x64',
      },
      packages,
    }
    inventory.hash = inventoryContentHash(inventory)
    await client.publishAsync(topics.device(dev.deviceId, 'inventory'), JSON.stringify(inventory), { qos: 1 })

    const page = browser.page
    await page.goto(hub.httpUrl)
    await page.waitForURL(/\/sign-in/, WAIT)
    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill(ADMIN_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/fleet$/, WAIT)
    // a clean fleet would be a lie: the hub holds no advisories, and says so
    await page.getByText('This hub holds no advisories').waitFor(WAIT)
    await page.screenshot({ path: join(ARTIFACTS, 'feeds-fleet-no-advisories.png'), fullPage: true })

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Feeds', exact: true })
      .click()
    await page.waitForURL(/\/feeds$/, WAIT)
    await page.getByText('CISA Known Exploited Vulnerabilities').waitFor(WAIT) // presets, off
    await page.getByLabel('Kind').selectOption('osv')
    await page.getByLabel('URL').fill(`${mirror.url}/osv`)
    await page.getByLabel('Name').fill('Local OSV mirror')
    await page.getByLabel('Ecosystems').fill('Debian')
    await page.getByRole('button', { name: 'Add feed' }).click()
    const row = page.locator('tr', { hasText: 'Local OSV mirror' })
    await row.waitFor(WAIT)
    await row.getByRole('button', { name: 'Sync now' }).click()
    await row.getByText('4 added').waitFor(WAIT)
    expect(await row.textContent()).toContain('OK')
    await page.screenshot({ path: join(ARTIFACTS, 'feeds-page.png'), fullPage: true })
    expect(mirror.log).toContain('GET /osv/Debian/all.zip')

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Risk register', exact: true })
      .click()
    await page.waitForURL(/\/register$/, WAIT)
    const finding = page.locator('[role="row"][data-key]', { hasText: 'ward-7-gateway' })
    await finding.waitFor(WAIT)
    expect(await finding.textContent()).toContain('CVE-2022-29824')
    await page.screenshot({ path: join(ARTIFACTS, 'feeds-register.png'), fullPage: true })
    expect(await page.getByText('This hub holds no advisories').count()).toBe(0)
  })
})
