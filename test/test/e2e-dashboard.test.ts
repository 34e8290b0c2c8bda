/**
 * The dashboard end to end: Debian's Chromium (playwright-core) against a real hub started in-process,
 * serving the BUILT dashboard, with simulated devices that enroll through the API and speak the protocol
 * over the hub's embedded MQTT broker. Screenshots of the main pages go to test-artifacts/ (not committed).
 */
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hardeningContentHash, inventoryContentHash } from '@vigil/hub'
import {
  type DeviceState,
  type HardeningReport,
  type Inventory,
  MANIFEST_PAYLOAD_TYPE,
  type ManifestPayload,
  type Telemetry,
} from '@vigil/protocol'
import { signEnvelope } from '@vigil/protocol/signing'
import type { MqttClient } from 'mqtt'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTIFACTS, type DashboardHub, startDashboardHub, WAIT } from '../src/e2e.ts'

/** A real OSV record from the shared data: DLA-3012-1, libxml2 in Debian 9, fixed in …deb9u7 (CVE-2022-29824). */
const DLA_3012 = fileURLToPath(
  new URL(
    '../../testdata/osv/google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs/Debian/DLA-3012-1.json',
    import.meta.url,
  ),
)
const ADMIN_PASSWORD = 'e2e-admin-password'
const EVIL = '<img src=x onerror=alert(1)>'

let e2e: DashboardHub
let page: Page
let token: string
const dialogs: string[] = []
const devices: SimDevice[] = []
const api: DashboardHub['api'] = (path, init) => e2e.api(path, init)

interface SimDevice {
  id: string
  client: MqttClient
  telemetry(cpuPct: number): Promise<void>
  publish(kind: 'hardening' | 'inventory', payload: HardeningReport | Inventory): Promise<void>
}

/** A device that enrolls through the API and speaks the protocol over MQTT, like any third-party client. */
async function simDevice(name: string, hostname: string): Promise<SimDevice> {
  const gw = await e2e.enroll(name, { will: true })
  const birth: DeviceState = {
    v: 1,
    status: 'online',
    ts: new Date().toISOString(),
    agentVersion: 'e2e-sim',
    telemetryIntervalSec: 10,
    identity: {
      hostname,
      vendor: 'Acme Medical',
      model: 'GW-100',
      firmwareVersion: '1.2.3',
      os: {
        platform: 'linux',
        id: 'debian',
        versionId: '12',
        prettyName: 'Debian GNU/Linux 12',
        kernel: '6.1.0',
        arch: 'x64',
      },
    },
  }
  await gw.publish('state', birth)
  const device: SimDevice = {
    id: gw.id,
    client: gw.client,
    async telemetry(cpuPct) {
      const sample: Telemetry = {
        v: 1,
        ts: new Date().toISOString(),
        cpu: { loadPct: cpuPct },
        mem: { total: 4 * 2 ** 30, used: 2 ** 30 },
        disks: [{ mount: '/', size: 32 * 2 ** 30, used: 8 * 2 ** 30 }],
        net: { rxBps: 1200, txBps: 800 },
        uptimeSec: 3600,
        processes: 123,
      }
      await gw.publish('telemetry', sample)
    },
    publish: (kind, payload) => gw.publish(kind, payload),
  }
  devices.push(device)
  return device
}

async function nav(label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click()
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true })
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true })
  e2e = await startDashboardHub({ adminPassword: ADMIN_PASSWORD, prefix: 'vigil-e2e-dashboard-' })
  token = e2e.token
  page = e2e.page
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
}, 60_000)

afterAll(() => e2e?.close(), 60_000)

describe('dashboard end to end (Chromium, real hub)', () => {
  it('signs in through the form and lands on a live fleet overview', async () => {
    await page.goto(e2e.hub.httpUrl)
    await page.waitForURL(/\/sign-in/, WAIT)
    await shot('sign-in')
    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill(ADMIN_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/fleet$/, WAIT)
    await page.locator('[role="status"][data-status="live"]').waitFor(WAIT)
    expect(await page.getByRole('navigation', { name: 'Main' }).textContent()).toContain('Devices')
  })

  it('shows a device that comes online without a reload', async () => {
    await nav('Devices')
    await page.waitForURL(/\/devices$/, WAIT)
    await page.getByText('Showing 0 of 0 devices').waitFor(WAIT)
    await page.evaluate(() => {
      ;(globalThis as unknown as { vigilNoReload: boolean }).vigilNoReload = true
    })
    const gw = await simDevice('ward-3-gateway', 'ward3-gw.local')
    await gw.telemetry(12.5)
    const row = page.locator(`[role="row"][data-key="${gw.id}"]`)
    await row.waitFor(WAIT)
    await row.getByText('Online').waitFor(WAIT)
    await row.getByText('12.5 %').waitFor(WAIT)
    // Telemetry alone says nothing about posture: no inventory or hardening report yet is "unknown".
    await row.getByText('Grade unknown').waitFor(WAIT)
    expect(await row.textContent()).toContain('ward-3-gateway')
    expect(
      await page.evaluate(() => (globalThis as unknown as { vigilNoReload?: boolean }).vigilNoReload),
    ).toBe(true)
    await shot('devices')
  })

  it('opens the device page and sees telemetry arrive live, and hardening evidence as text', async () => {
    const gw = devices[0]!
    const results = [
      {
        id: 'ssh-root-login',
        title: 'SSH root login disabled',
        severity: 'high' as const,
        status: 'fail' as const,
        evidence: `PermitRootLogin yes ${EVIL}`,
      },
      {
        id: 'empty-passwords',
        title: 'No empty passwords',
        severity: 'critical' as const,
        status: 'pass' as const,
        evidence: 'no account without a password',
      },
    ]
    const report: HardeningReport = {
      v: 1,
      ts: new Date().toISOString(),
      hash: '',
      baseline: { id: 'vigil-default', version: 1 },
      results,
      drift: [],
    }
    report.hash = hardeningContentHash(report)
    await gw.publish('hardening', report)
    await page.locator(`[role="row"][data-key="${gw.id}"] a`).click()
    await page.waitForURL(new RegExp(`/devices/${gw.id}$`), WAIT)
    await page.getByRole('heading', { name: 'ward-3-gateway' }).waitFor(WAIT)
    const cpu = page.locator('figure', { hasText: 'CPU' })
    await cpu.getByText('12.5 %').waitFor(WAIT)
    await gw.telemetry(42.5)
    await cpu.getByText('42.5 %').waitFor(WAIT)
    await gw.telemetry(77)
    await cpu.getByText('77.0 %').waitFor(WAIT)
    expect(Number(await cpu.getAttribute('data-samples'))).toBeGreaterThanOrEqual(3)
    await page.getByText('SSH root login disabled').waitFor(WAIT)
    await page.getByText(`PermitRootLogin yes ${EVIL}`).waitFor(WAIT)
    expect(await page.locator('img').count()).toBe(0)
    await shot('device')
  })

  it(`shows a hostname containing ${EVIL} as text, and no script runs`, async () => {
    const evil = await simDevice(`evil ${EVIL}`, `host-${EVIL}`)
    await evil.telemetry(5)
    await nav('Devices')
    await page.getByLabel('Search').fill('onerror')
    const row = page.locator(`[role="row"][data-key="${evil.id}"]`)
    await row.waitFor(WAIT)
    expect(await row.textContent()).toContain(`evil ${EVIL}`)
    await row.locator('a').click()
    await page.waitForURL(new RegExp(`/devices/${evil.id}$`), WAIT)
    await page.getByText(`host-${EVIL}`).waitFor(WAIT)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`evil ${EVIL}`)
    expect(await page.locator('img').count()).toBe(0)
    await shot('device-hostile-hostname')
    expect(dialogs).toEqual([])
  })

  it('shows the fleet overview with KPI tiles and the live event feed', async () => {
    await nav('Fleet')
    await page.waitForURL(/\/fleet$/, WAIT)
    const tiles = page.getByRole('list', { name: 'Key figures' })
    await tiles.getByText('Online').first().waitFor(WAIT)
    expect(await tiles.textContent()).toMatch(/2\s*Devices/)
    await shot('fleet')
  })

  it('decides a finding in the risk register and sees the register and its history update', async () => {
    const upload = await fetch(`${e2e.hub.httpUrl}/api/v1/advisories`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: readFileSync(DLA_3012, 'utf8'),
    })
    expect(upload.status, await upload.text()).toBeLessThan(300)
    const lab = await simDevice('lab-gateway', 'lab-gw.local')
    const packages: Inventory['packages'] = [
      {
        name: 'libxml2',
        version: '2.9.4+dfsg1-2.2+deb9u6',
        ecosystem: 'deb',
        purl: 'pkg:deb/debian/libxml2@2.9.4%2Bdfsg1-2.2%2Bdeb9u6?distro=debian-9',
      },
    ]
    const labInventory: Inventory = {
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
    labInventory.hash = inventoryContentHash(labInventory)
    await lab.publish('inventory', labInventory)
    const labHardening: HardeningReport = {
      v: 1,
      ts: new Date().toISOString(),
      hash: '',
      baseline: { id: 'vigil-default', version: 1 },
      results: [
        {
          id: 'no-telnet',
          title: 'telnet is not installed',
          severity: 'high',
          status: 'pass',
          evidence: 'absent',
        },
      ],
      drift: [],
    }
    labHardening.hash = hardeningContentHash(labHardening)
    await lab.publish('hardening', labHardening)
    await nav('Risk register')
    await page.waitForURL(/\/register$/, WAIT)
    const row = page.locator('[role="row"][data-key]', { hasText: 'lab-gateway' })
    await row.waitFor(WAIT)
    expect(await row.textContent()).toContain('CVE-2022-29824')
    expect(await row.textContent()).toContain('Open')
    await shot('register')
    await row.getByRole('checkbox').check()
    await page.getByLabel('Action').selectOption('in_progress')
    await page.getByLabel('Owner').fill('biomed-team')
    await page.getByLabel('Note for the history').fill('patch window booked for Tuesday')
    await page.getByRole('button', { name: 'Apply to 1' }).click()
    await page.getByText('1 updated.').waitFor(WAIT)
    await row.getByText('In progress').waitFor(WAIT)
    expect(await row.textContent()).toContain('biomed-team')
    await row.getByRole('button', { name: 'CVE-2022-29824' }).click()
    const history = page.locator('.history')
    await history.getByText('patch window booked for Tuesday').waitFor(WAIT)
    expect(await history.textContent()).toContain('Open → In progress')
    await shot('register-decided')
    // The device page lists the finding and the searchable inventory from the device's SBOM.
    await row.getByRole('link', { name: 'lab-gateway' }).click()
    await page.waitForURL(new RegExp(`/devices/${lab.id}$`), WAIT)
    await page.getByLabel('Search packages').fill('libxml')
    await page
      .getByRole('table', { name: 'Installed packages' })
      .getByText('libxml2', { exact: true })
      .waitFor(WAIT)
    await page.getByRole('table', { name: 'Findings' }).getByText('In progress').waitFor(WAIT)
    const posture = page.getByRole('region', { name: 'Posture' })
    await posture.getByText(/Grade [A-F]/).waitFor(WAIT)
    expect(await posture.textContent()).toMatch(/\d+ \/ 100/)
    await shot('device-findings')
    await nav('Maturity')
    await page
      .getByRole('list', { name: 'Maturity figures' })
      .getByText('Mean time to remediate')
      .waitFor(WAIT)
    const report = await fetch(`${e2e.hub.httpUrl}/api/v1/maturity.html`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(report.status).toBe(200)
    expect(
      await page.getByRole('link', { name: 'Open the printable maturity report' }).getAttribute('href'),
    ).toBe('/api/v1/maturity.html')
    await shot('maturity')
  })

  it('shows a vendor-signed manifest as verified, with coverage, and drives its rollout', async () => {
    const vendor = await api<{ id: string; token: string }>('/vendors', {
      method: 'POST',
      body: { name: 'Acme Medical' },
    })
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    await api(`/vendors/${vendor.id}/keys`, { method: 'POST', body: { publicKeyPem } })
    const now = Date.now()
    const payload: ManifestPayload = {
      vendor: 'Acme Medical',
      product: 'GW-100',
      version: '1.3.0',
      releasedAt: new Date(now - 3600_000).toISOString(),
      expiresAt: new Date(now + 30 * 86_400_000).toISOString(),
      appliesTo: { models: ['GW-100'], versions: 'vers:generic/<1.3.0' },
      fixes: ['CVE-2022-29824'],
      artifacts: [
        {
          name: 'gw-100-1.3.0.bin',
          url: 'https://updates.invalid/gw-100-1.3.0.bin',
          sha256: 'a'.repeat(64),
          size: 4096,
        },
      ],
    }
    const envelope = signEnvelope(payload, MANIFEST_PAYLOAD_TYPE, [
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ])
    const pushed = await fetch(`${e2e.hub.httpUrl}/api/v1/manifests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${vendor.token}` },
      body: JSON.stringify(envelope),
    })
    expect(pushed.status, await pushed.text()).toBe(201)
    await nav('Manifests')
    await page.waitForURL(/\/manifests$/, WAIT)
    await page.getByRole('button', { name: 'Acme Medical GW-100 1.3.0' }).click()
    const panel = page.getByRole('region', { name: 'Acme Medical GW-100 1.3.0' })
    await panel.getByText('Signature verified on upload').waitFor(WAIT)
    expect(await panel.textContent()).toMatch(/[1-9]\d* devices/)
    await panel.getByLabel('Waves (% of devices)').fill('50, 100')
    await panel.getByRole('button', { name: 'Approve rollout' }).click()
    await panel.getByRole('button', { name: 'Pause' }).waitFor(WAIT)
    expect(await panel.textContent()).toContain('active, wave 1 of 2')
    await panel.getByRole('button', { name: 'Pause' }).click()
    await panel.getByRole('button', { name: 'Resume' }).waitFor(WAIT)
    expect(await panel.textContent()).toContain('paused')
    await shot('manifests')
  })

  it('creates an enrollment token in Settings and lists it', async () => {
    await nav('Settings')
    await page.waitForURL(/\/settings$/, WAIT)
    await page.getByLabel('Note').fill('ward 7 gateways')
    await page.getByRole('button', { name: 'Create token' }).click()
    const command = page.getByLabel('Enroll a device with')
    await command.waitFor(WAIT)
    expect(await command.inputValue()).toMatch(
      /^vigil-agent enroll --hub http:\/\/127\.0\.0\.1:\d+ --token=\S+$/,
    )
    await page.getByRole('cell', { name: 'ward 7 gateways' }).waitFor(WAIT)
    await page.getByRole('heading', { name: 'Users and roles' }).waitFor(WAIT)
    await page.getByRole('cell', { name: 'admin', exact: true }).first().waitFor(WAIT)
    await shot('settings')
  })

  it('says Reconnecting, never Live, when the hub goes away', async () => {
    await nav('Devices')
    await page.locator('[role="status"][data-status="live"]').waitFor(WAIT)
    await e2e.hub.close()
    const indicator = page.locator('[role="status"][data-status="reconnecting"]')
    await indicator.waitFor(WAIT)
    expect(await indicator.textContent()).toContain('Reconnecting')
    await page.getByRole('alert').filter({ hasText: 'Not live.' }).waitFor(WAIT)
    await shot('reconnecting')
  })
})
