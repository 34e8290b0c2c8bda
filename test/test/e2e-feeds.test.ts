/**
 * Feeds end to end: Debian's Chromium (playwright-core) against a real hub serving the BUILT dashboard.
 * An admin adds an OSV feed pointing at a local mirror (built from the repository's testdata) on the
 * Feeds page, syncs it, and the gateway's finding appears in the risk register — no restart, no upload.
 * The "no advisories" notice is shown on the fleet before, and gone after.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { inventoryContentHash } from '@vigil/hub'
import type { DeviceState, Inventory } from '@vigil/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Mirror, osvBucket, osvRecords } from '../../hub/test/feeds/mirror.ts'
import { ARTIFACTS, type DashboardHub, startDashboardHub, WAIT } from '../src/e2e.ts'

let e2e: DashboardHub

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true })
  e2e = await startDashboardHub({ adminPassword: 'e2e-feeds-password', prefix: 'vigil-e2e-feeds-' })
}, 60_000)

afterAll(() => e2e?.close(), 60_000)

describe('feeds end to end (Chromium, real hub, local mirror)', () => {
  it('an admin adds an OSV feed on the Feeds page, syncs it, and the finding appears', async () => {
    const mirror = await new Mirror().start()
    await osvBucket(mirror, 'Debian', osvRecords('Debian'))

    // a Debian 9 gateway with a vulnerable libxml2, enrolled through the API, speaking MQTT
    const gw = await e2e.enroll('ward-7-gateway')
    const birth: DeviceState = {
      v: 1,
      status: 'online',
      ts: new Date().toISOString(),
      agentVersion: 'e2e-sim',
    }
    await gw.publish('state', birth)
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
    await gw.publish('inventory', inventory)

    const page = e2e.page
    await e2e.signIn()
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
