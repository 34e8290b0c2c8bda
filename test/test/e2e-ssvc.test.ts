/**
 * Issue 17 end to end: Debian's Chromium (playwright-core) against a real hub started in-process serving
 * the BUILT dashboard, two simulated gateways (enrolled through the API, speaking MQTT) with the same
 * vulnerable libxml2 (real OSV record DLA-3012-1). An operator sets one device's clinical function on
 * its device page; the register, ordered by SSVC decision, ranks that device's finding first.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { inventoryContentHash } from '@vigil/hub'
import type { DeviceState, FindingList, Inventory } from '@vigil/protocol'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DashboardHub, startDashboardHub, WAIT } from '../src/e2e.ts'
import { until } from '../src/system.ts'

const DLA_3012 = fileURLToPath(
  new URL(
    '../../testdata/osv/google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs/Debian/DLA-3012-1.json',
    import.meta.url,
  ),
)

let e2e: DashboardHub
let page: Page
const api: DashboardHub['api'] = (path, init) => e2e.api(path, init)

/** A gateway that enrolls, says it is online (vendor Acme Medical, model GW-100) and reports libxml2. */
async function gateway(name: string): Promise<string> {
  const gw = await e2e.enroll(name)
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
  await gw.publish('state', birth)
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
  await gw.publish('inventory', inventory)
  return gw.id
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
  e2e = await startDashboardHub({
    adminPassword: 'e2e-ssvc-admin-password',
    prefix: 'vigil-e2e-ssvc-',
    hub: { deviceReportMinIntervalSec: 0 },
  })
  page = e2e.page
}, 60_000)

afterAll(() => e2e?.close(), 60_000)

describe('clinical context re-ranks findings (issue 17, Chromium, real hub)', () => {
  it('setting a device’s clinical function on its page moves its finding to the top of the register', async () => {
    await api('/advisories', { method: 'POST', body: readFileSync(DLA_3012, 'utf8') })
    const pump = await gateway('pump-gw')
    const kiosk = await gateway('kiosk-gw')
    await until('two findings', async () => (await api<FindingList>('/findings')).total === 2)
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

    await e2e.signIn()
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
