import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import DevicesPage from '../../src/pages/DevicesPage.vue'
import { liveKey } from '../../src/realtime/live.ts'
import { fakeApi } from '../fake-api.ts'
import { device, devices, testLive, testRouter } from '../helpers.ts'

async function page() {
  const live = testLive()
  const router = testRouter()
  await router.push('/devices')
  const wrapper = mount(DevicesPage, {
    global: { plugins: [router], provide: { [liveKey as symbol]: live } },
    attachTo: document.body,
  })
  return { live, wrapper }
}

const rowTexts = (w: Awaited<ReturnType<typeof page>>['wrapper']) =>
  w.findAll('[role="row"][data-key]').map((r) => r.text())

describe('DevicesPage', () => {
  it('shows the snapshot, then applies a delta in place without a reload', async () => {
    const { live, wrapper } = await page()
    expect(wrapper.text()).toContain('Waiting for the fleet')
    live.fleet.applySnapshot({
      devices: [
        device(1, { cpuPct: 12.5, memUsedPct: 40, telemetryAt: new Date().toISOString() }),
        device(2, { online: false }),
      ],
      ts: '2026-11-28T12:00:00.000Z',
    })
    await flushPromises()
    expect(wrapper.text()).toContain('Showing 2 of 2 devices · 1 online')
    const first = rowTexts(wrapper)[0]
    expect(first).toContain('gateway-00001')
    expect(first).toContain('Online')
    expect(first).toContain('12.5 %')
    expect(first).not.toContain('stale')
    expect(rowTexts(wrapper)[1]).toContain('Offline')

    live.fleet.queueDelta({
      devices: [device(2, { online: true, cpuPct: 77 }), device(3)],
      removed: ['dev-00001'],
      ts: '2026-11-28T12:00:05.000Z',
    })
    live.fleet.flush()
    await flushPromises()
    const texts = rowTexts(wrapper)
    expect(texts).toHaveLength(2)
    expect(texts[0]).toContain('gateway-00002')
    expect(texts[0]).toContain('Online')
    expect(texts[0]).toContain('77')
    expect(texts[1]).toContain('gateway-00003')
    // Its telemetry is hours old: shown, but marked stale rather than passed off as current.
    expect(texts[1]).toContain('stale')
    wrapper.unmount()
  })

  it('searches, filters and sorts 10,000 devices while rendering only a window', async () => {
    const { live, wrapper } = await page()
    live.fleet.applySnapshot({ devices: devices(10_000), ts: 't' })
    await flushPromises()
    expect(wrapper.findAll('[role="row"][data-key]').length).toBeLessThan(50)
    await wrapper.get('#devices-search').setValue('gateway-0999')
    expect(wrapper.text()).toContain('Showing 10 of 10000 devices')
    await wrapper.get('#devices-search').setValue('')
    await wrapper.get('#devices-online').setValue('offline')
    expect(wrapper.text()).toContain(`Showing ${Math.ceil(10_000 / 3)} of 10000`)
    expect(rowTexts(wrapper).every((t) => t.includes('Offline'))).toBe(true)
    await wrapper.get('#devices-online').setValue('all')
    await wrapper.get('#devices-failing').setValue(true)
    expect(wrapper.text()).toContain('Showing 2000 of 10000')
    await wrapper.get('#devices-failing').setValue(false)
    // Sort by CPU, descending (click twice).
    const cpuHeader = wrapper.findAll('[role="columnheader"] button').find((b) => b.text().startsWith('CPU'))
    await cpuHeader?.trigger('click')
    await cpuHeader?.trigger('click')
    expect(rowTexts(wrapper)[0]).toContain('99')
    wrapper.unmount()
  })

  it('filters by posture grade', async () => {
    const posture = (i: number, grade: string) => ({
      deviceId: device(i).id,
      deviceName: device(i).name,
      score: 50,
      grade,
      reasons: [],
    })
    fakeApi({
      'GET /api/v1/posture/devices': () => ({
        body: { devices: [posture(1, 'A'), posture(2, 'D'), posture(3, 'D')] },
      }),
    })
    const { live, wrapper } = await page()
    live.fleet.applySnapshot({ devices: [device(1), device(2), device(3), device(4)], ts: 't' })
    await flushPromises()
    expect(wrapper.text()).toContain('Showing 4 of 4 devices')
    await wrapper.get('#devices-grade').setValue('D')
    expect(wrapper.text()).toContain('Showing 2 of 4 devices')
    expect(rowTexts(wrapper).map((t) => t.slice(0, 13))).toEqual(['gateway-00002', 'gateway-00003'])
    expect(rowTexts(wrapper)[0]).toContain('Grade D')
    await wrapper.get('#devices-grade').setValue('')
    expect(wrapper.text()).toContain('Showing 4 of 4 devices')
    wrapper.unmount()
  })

  it('renders a hostile device name as text, never as HTML', async () => {
    const { live, wrapper } = await page()
    const evil = '<img src=x onerror=alert(1)>'
    live.fleet.applySnapshot({ devices: [device(1, { name: evil, hostname: evil, vendor: evil })], ts: 't' })
    await flushPromises()
    expect(wrapper.find('img').exists()).toBe(false)
    expect(document.querySelector('img')).toBeNull()
    expect(wrapper.get('.device-link').text()).toBe(evil)
    wrapper.unmount()
  })
})
