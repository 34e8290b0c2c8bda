/**
 * Issue 16 point 4 in the browser: before a rollout is approved, the manifest panel says how many
 * targeted devices trust the vendor's current keys and what to do for the others — the exact
 * `vigil-hub trust delegate` command while the vendor is not delegated, then, once it is, the device
 * that has not received the delegation yet with its fix. Debian's Chromium (playwright-core) against a
 * real hub in-process serving the BUILT dashboard; devices speak MQTT and report their trust in births.
 */
import type {
  DelegationPayload,
  DeviceState,
  ManifestPayload,
  RootPayload,
  TrustPendingDelegation,
} from '@vigil/protocol'
import { generateKeyPair, signDelegation, signManifest, signRoot, trustKeyOf } from '@vigil/protocol/signing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DashboardHub, startDashboardHub, WAIT } from '../src/e2e.ts'

const MODEL = 'Lynx 5512'

let e2e: DashboardHub
const api: DashboardHub['api'] = (path, init) => e2e.api(path, init)

/** A gateway that enrolls and sends a birth saying which delegations it holds. */
async function gateway(name: string) {
  const gw = await e2e.enroll(name)
  const fingerprint = gw.trust?.fingerprint
  if (!fingerprint) throw new Error('the enrollment answer carries no operator root')
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
      trust: { root: { version: 1, fingerprint }, delegations },
    }
    await gw.publish('state', s)
  }
  await birth({})
  return { id: gw.id, name, birth }
}

beforeAll(async () => {
  e2e = await startDashboardHub({ adminPassword: 'e2e-trust-admin-password', prefix: 'vigil-e2e-trust-' })
}, 60_000)

afterAll(() => e2e?.close(), 60_000)

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

    const page = e2e.page
    await e2e.signIn()
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
