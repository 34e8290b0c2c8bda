import type { ManifestDetail } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ManifestDetailPanel from '../../src/components/ManifestDetailPanel.vue'
import { forgetSession } from '../../src/session.ts'
import { signedInAs } from '../fake-api.ts'
import { testRouter } from '../helpers.ts'

const SHA = 'a'.repeat(64)
const ID = 'ab12'

function detail(status: 'active' | 'cancelled', failedState = 'failed'): ManifestDetail {
  return {
    id: ID,
    digest: SHA,
    envelope: {
      payloadType: 'application/vnd.vigil.manifest+json',
      payload: '',
      signatures: [{ sig: 'AA==' }],
    },
    findings: [],
    vendorId: 'acme',
    vendor: 'Acme Medical',
    product: 'infusion-gw',
    version: '4.2.1',
    releasedAt: '2026-11-01T00:00:00.000Z',
    expiresAt: '2027-06-01T00:00:00.000Z',
    appliesTo: { models: ['IGW-200'], versions: '< 4.2.1' },
    fixes: ['CVE-2024-3094'],
    artifacts: [{ name: 'igw.bin', url: 'https://example.org/igw.bin', sha256: SHA, size: 1024 }],
    keyids: ['k1'],
    acceptedAt: '2026-11-02T00:00:00.000Z',
    acceptedBy: 'vendor:acme',
    coverage: { devices: 2, findings: 4 },
    rollout: {
      status,
      approvedBy: 'op',
      approvedAt: '2026-11-03T00:00:00.000Z',
      wave: 0,
      autoAdvance: false,
      waves: [{ kind: 'all', devices: ['d1', 'd2'] }],
      counts: { installed: 1, [failedState]: 1 },
    },
    devices: [
      { id: 'd1', name: 'ward-3', online: true, firmwareVersion: '4.2.1', state: 'installed' },
      { id: 'd2', name: 'icu-1', online: true, firmwareVersion: '4.1.0', state: failedState },
    ],
    targets: [
      { deviceId: 'd1', wave: 0, state: 'installed', updatedAt: '2026-11-03T01:00:00.000Z', deliveries: 1 },
      {
        deviceId: 'd2',
        wave: 0,
        state: failedState,
        code: 'HOOK_FAILED',
        reason: 'install hook exited 3',
        updatedAt: '2026-11-03T01:00:00.000Z',
        deliveries: 2,
      },
    ],
  }
}

async function panel(role: 'operator' | 'technician', manifest: ManifestDetail) {
  const calls = await signedInAs(role, {
    [`POST /api/v1/manifests/${ID}/rollout/cancel`]: () => ({ body: detail('cancelled') }),
    [`POST /api/v1/manifests/${ID}/targets/d2/retry`]: () => ({ body: detail('active', 'offered') }),
  })
  const router = testRouter()
  await router.push('/')
  const w = mount(ManifestDetailPanel, { props: { manifest }, global: { plugins: [router] } })
  await flushPromises()
  return { w, calls }
}

describe('ManifestDetailPanel rollout controls', () => {
  it('cancels with the reason typed, then offers a new approval', async () => {
    const { w, calls } = await panel('operator', detail('active'))
    await w.find('#cancel-reason').setValue('  canary rebooted twice ')
    const cancel = w.findAll('button').find((b) => b.text() === 'Cancel rollout')
    await cancel?.trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.path.endsWith('/rollout/cancel'))?.body).toEqual({
      reason: 'canary rebooted twice',
    })
    const changed = w.emitted('changed')?.[0]?.[0] as ManifestDetail
    expect(changed.rollout?.status).toBe('cancelled')
    await w.setProps({ manifest: changed })
    expect(w.findAll('button').some((b) => b.text() === 'Approve rollout')).toBe(true)
    expect(w.findAll('button').some((b) => b.text() === 'Cancel rollout')).toBe(false)
  })

  it('retries only a failed device', async () => {
    const { w, calls } = await panel('operator', detail('active'))
    const retry = w.findAll('button').filter((b) => b.text() === 'Retry')
    expect(retry).toHaveLength(1)
    expect(retry[0]?.attributes('aria-label')).toBe('Retry install on icu-1')
    await retry[0]?.trigger('click')
    await flushPromises()
    expect(
      calls.some((c) => c.method === 'POST' && c.path === `/api/v1/manifests/${ID}/targets/d2/retry`),
    ).toBe(true)
    const { w: rejected } = await panel('operator', detail('active', 'rejected'))
    expect(rejected.findAll('button').some((b) => b.text() === 'Retry')).toBe(false)
  })

  it('shows no controls to a technician', async () => {
    const { w } = await panel('technician', detail('active'))
    expect(w.findAll('button').map((b) => b.text())).toEqual(['Close'])
    forgetSession()
  })
})
