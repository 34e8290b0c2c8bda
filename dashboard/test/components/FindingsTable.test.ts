import type { FindingView } from '@vigil/protocol'
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import FindingsTable from '../../src/components/FindingsTable.vue'
import { findingView } from '../finding-view.ts'
import { testRouter } from '../helpers.ts'

const finding = (i: number, extra: Partial<FindingView> = {}): FindingView =>
  findingView({ id: `f${i}`, deviceId: `dev-${i}`, deviceName: `gateway-${i}`, kev: i % 2 === 0, ...extra })

async function table(props: { findings: FindingView[]; showDevice?: boolean; selectable?: boolean }) {
  const router = testRouter()
  await router.push('/')
  return mount(FindingsTable, {
    props: { selected: new Set<string>(), ...props },
    global: { plugins: [router] },
  })
}

describe('FindingsTable', () => {
  it('shows the device and a selection box by default, with words for severity, KEV, review and overdue', async () => {
    const w = await table({
      findings: [finding(0, { confidence: 'review', overdue: true, deviceName: '<b>x</b>' }), finding(1)],
    })
    const headers = w.findAll('[role="columnheader"]').map((h) => h.text())
    expect(headers).toContain('Device')
    expect(headers).toContain('Select')
    const first = w.get('[data-key="f0"]').text()
    expect(first).toContain('high')
    expect(first).toContain('KEV')
    expect(first).toContain('Review')
    expect(first).toContain('Overdue')
    expect(first).toContain('<b>x</b>')
    expect(w.find('b').exists()).toBe(false)
  })

  it('can hide the device and selection columns, and emits toggle from the checkbox', async () => {
    const hidden = await table({ findings: [finding(1)], showDevice: false, selectable: false })
    const headers = hidden.findAll('[role="columnheader"]').map((h) => h.text())
    expect(headers).not.toContain('Device')
    expect(headers).not.toContain('Select')
    const w = await table({ findings: [finding(1)] })
    await w.get('input[type="checkbox"]').trigger('change')
    expect(w.emitted('toggle')?.[0]).toEqual(['f1'])
  })

  it('says "Patch available" with a link to the manifest when a vendor manifest fixes the finding', async () => {
    const w = await table({
      findings: [
        finding(0, {
          patch: { manifestId: 'abc123', vendor: 'Acme Medical', product: 'infusion-gw', version: '4.2.1' },
        }),
        finding(1, { patch: null }),
      ],
    })
    expect(w.findAll('[role="columnheader"]').map((h) => h.text())).toContain('Patch')
    const link = w.get('[data-key="f0"] a[href*="manifests"]')
    expect(link.text()).toBe('Patch available: infusion-gw 4.2.1')
    expect(link.attributes('href')).toBe('/manifests?id=abc123')
    expect(w.get('[data-key="f1"]').text()).not.toContain('Patch available')
  })
})
