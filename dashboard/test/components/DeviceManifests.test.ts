import type { DeviceManifest } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import DeviceManifests from '../../src/components/DeviceManifests.vue'
import { fakeApi } from '../fake-api.ts'
import { testRouter } from '../helpers.ts'

const entry = (id: string, extra: Partial<DeviceManifest> = {}): DeviceManifest => ({
  manifestId: id,
  vendor: 'Acme Medical',
  product: 'infusion-gw',
  version: '4.2.1',
  fixes: ['CVE-2024-3094'],
  expiresAt: '2027-06-01T00:00:00.000Z',
  expired: false,
  applies: true,
  rollout: 'active',
  target: null,
  ...extra,
})

async function panel(manifests: DeviceManifest[][], props: { refreshKey?: string } = {}) {
  let n = 0
  const calls = fakeApi({
    'GET /api/v1/devices/dev-1/manifests': () => ({
      body: { deviceId: 'dev-1', manifests: manifests[Math.min(n++, manifests.length - 1)] },
    }),
  })
  const router = testRouter()
  await router.push('/')
  const w = mount(DeviceManifests, { props: { deviceId: 'dev-1', ...props }, global: { plugins: [router] } })
  await flushPromises()
  return { w, calls }
}

describe('DeviceManifests', () => {
  it('shows each manifest with a link and the rollout state on this device, with the reason of a rejection', async () => {
    const { w } = await panel([
      [
        entry('m1', {
          target: {
            state: 'rejected',
            wave: 0,
            code: 'BAD_SIGNATURE',
            reason: 'signature does not verify',
            updatedAt: '2026-11-28T12:00:00.000Z',
            deliveries: 1,
          },
        }),
        entry('m2', {
          version: '4.3.0',
          target: {
            state: 'awaiting-install',
            wave: 1,
            updatedAt: '2026-11-28T12:00:00.000Z',
            deliveries: 1,
          },
        }),
        entry('m3', { version: '5.0.0', rollout: null }),
      ],
    ])
    expect(w.get('h2').text()).toBe('Manifests')
    const m1 = w.get('[data-key="m1"]')
    expect(m1.text()).toContain('Rejected (BAD_SIGNATURE: signature does not verify)')
    expect(m1.get('a').attributes('href')).toBe('/manifests?id=m1')
    expect(m1.get('a').text()).toBe('Acme Medical infusion-gw 4.2.1')
    expect(w.get('[data-key="m2"]').text()).toContain('Awaiting install')
    expect(w.get('[data-key="m3"]').text()).toContain('No rollout approved')
  })

  it('says when nothing applies, and fetches again when a rollout report arrives', async () => {
    const installed = entry('m1', {
      applies: false,
      target: { state: 'installed', wave: 0, updatedAt: '2026-11-28T12:00:00.000Z', deliveries: 1 },
    })
    const { w, calls } = await panel([[], [installed]], { refreshKey: '' })
    expect(w.text()).toContain('No vendor manifest applies to this device.')
    await w.setProps({ refreshKey: 'manifest-feed-item-1' })
    await flushPromises()
    expect(calls.filter((c) => c.path === '/api/v1/devices/dev-1/manifests')).toHaveLength(2)
    expect(w.get('[data-key="m1"]').text()).toContain('Installed')
  })
})
