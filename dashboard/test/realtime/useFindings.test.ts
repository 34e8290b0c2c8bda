import type { FindingView } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { useFindings } from '../../src/realtime/useFindings.ts'
import { fakeApi } from '../fake-api.ts'
import { findingView } from '../finding-view.ts'
import { testLive } from '../helpers.ts'

const finding = (id: string, state: FindingView['state']): FindingView => findingView({ id, state })

afterEach(() => {
  vi.useRealTimers()
})

describe('useFindings', () => {
  it('re-reads the register once per burst of finding:delta batches, whatever the feed shows', async () => {
    let served = [finding('f1', 'open')]
    const calls = fakeApi({
      'GET /api/v1/findings': () => ({ body: { findings: served, total: served.length } }),
    })
    const live = testLive()
    let shown: FindingView[] = []
    const Probe = defineComponent({
      setup() {
        const f = useFindings(live, () => ({ state: 'open,in_progress' }))
        return () => {
          shown = f.findings.value
          return h('div', f.findings.value.length)
        }
      },
    })
    vi.useFakeTimers()
    const wrapper = mount(Probe)
    await flushPromises()
    expect(shown.map((f) => f.id)).toEqual(['f1'])
    const reads = () => calls.filter((c) => c.path === '/api/v1/findings').length
    expect(reads()).toBe(1)

    // a finding resolved elsewhere: no feed item says so, the register change does
    served = []
    live.findingChanges.value++
    live.findingChanges.value++
    await flushPromises()
    expect(reads()).toBe(1)
    await vi.advanceTimersByTimeAsync(1000)
    await flushPromises()
    expect(reads()).toBe(2)
    expect(shown).toEqual([])

    // a feed item alone does not make it re-read (the delta is what reports register changes)
    live.feed.push({
      id: 'x',
      ts: '2026-01-01T00:00:00Z',
      deviceId: 'dev-1',
      deviceName: 'g',
      kind: 'finding',
      message: 'm',
    })
    await vi.advanceTimersByTimeAsync(2000)
    expect(reads()).toBe(2)
    wrapper.unmount()
  })
})
