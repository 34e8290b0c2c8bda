import type { ManifestDetail } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ManifestDetailPanel from '../../src/components/ManifestDetailPanel.vue'
import { forgetSession } from '../../src/session.ts'
import { signedInAs } from '../fake-api.ts'
import { testRouter } from '../helpers.ts'

const SHA = 'a'.repeat(64)
const ID = 'ab12'

function detail(
  status: 'active' | 'paused' | 'cancelled',
  failedState = 'failed',
  recordVersion = 4,
): ManifestDetail {
  return {
    id: ID,
    recordVersion,
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

/** 409 VIGIL_CONFLICT as the hub answers it: someone else paused the rollout (version 5). */
const conflict = () => ({
  status: 409,
  body: {
    error: { code: 'VIGIL_CONFLICT', message: `changed by someone else: ${ID}` },
    current: [{ id: ID, version: 5, view: detail('paused', 'failed', 5) }],
  },
})

async function panel(role: 'operator' | 'technician', manifest: ManifestDetail, stale = false) {
  const ok = (m: ManifestDetail) => () => (stale ? conflict() : { body: m })
  const calls = await signedInAs(role, {
    [`POST /api/v1/manifests/${ID}/rollout`]: ok(detail('active')),
    [`POST /api/v1/manifests/${ID}/rollout/advance`]: ok(detail('active')),
    [`POST /api/v1/manifests/${ID}/rollout/pause`]: ok(detail('paused')),
    [`POST /api/v1/manifests/${ID}/rollout/resume`]: ok(detail('active')),
    [`POST /api/v1/manifests/${ID}/rollout/cancel`]: ok(detail('cancelled')),
    [`POST /api/v1/manifests/${ID}/targets/d2/retry`]: ok(detail('active', 'offered')),
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

  it('sends the manifest version it shows with every rollout action (If-Match)', async () => {
    const click = async (w: Awaited<ReturnType<typeof panel>>['w'], text: string) => {
      await w
        .findAll('button')
        .find((b) => b.text() === text)
        ?.trigger('click')
      await flushPromises()
    }
    const active = await panel('operator', detail('active', 'failed', 7))
    await click(active.w, 'Next wave')
    await click(active.w, 'Pause')
    await click(active.w, 'Retry')
    await click(active.w, 'Cancel rollout')
    const paused = await panel('operator', detail('paused', 'failed', 8))
    await click(paused.w, 'Resume')
    const cancelled = await panel('operator', detail('cancelled', 'failed', 9))
    await click(cancelled.w, 'Approve rollout')
    const posts = [...active.calls, ...paused.calls, ...cancelled.calls].filter((c) => c.method === 'POST')
    expect(posts.map((c) => [c.path.replace(`/api/v1/manifests/${ID}`, ''), c.headers['if-match']])).toEqual([
      ['/rollout/advance', '"7"'],
      ['/rollout/pause', '"7"'],
      ['/targets/d2/retry', '"7"'],
      ['/rollout/cancel', '"7"'],
      ['/rollout/resume', '"8"'],
      ['/rollout', '"9"'],
    ])
  })

  it('on 409 says someone else changed it, shows the current rollout and keeps what was typed', async () => {
    const { w, calls } = await panel('operator', detail('active'), true)
    await w.find('#cancel-reason').setValue('canary rebooted twice')
    await w
      .findAll('button')
      .find((b) => b.text() === 'Cancel rollout')
      ?.trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.path.endsWith('/rollout/cancel'))?.headers['if-match']).toBe('"4"')
    const alert = w.find('[role="alert"]').text()
    expect(alert).toContain('Changed by someone else meanwhile; your change was not applied.')
    expect(alert).toContain('Now: rollout paused, wave 1 of 1')
    // The page is handed the manifest as it is now (version 5) to show and to act from next time.
    const now = w.emitted('changed')?.[0]?.[0] as ManifestDetail
    expect(now.recordVersion).toBe(5)
    expect(now.rollout?.status).toBe('paused')
    await w.setProps({ manifest: now })
    expect(w.find('[role="alert"]').exists()).toBe(true)
    expect((w.find('#cancel-reason').element as HTMLInputElement).value).toBe('canary rebooted twice')
    expect(w.findAll('button').some((b) => b.text() === 'Resume')).toBe(true)
  })

  it('shows no controls to a technician', async () => {
    const { w } = await panel('technician', detail('active'))
    expect(w.findAll('button').map((b) => b.text())).toEqual(['Close'])
    forgetSession()
  })
})
