import type { DevicePosture, PostureGrade } from '@vigil/protocol'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import PostureDistribution from '../../src/components/PostureDistribution.vue'
import { gradeDistribution } from '../../src/lib/grades.ts'
import { fakeApi } from '../fake-api.ts'

const posture = (i: number, grade: PostureGrade): DevicePosture => ({
  deviceId: `d${i}`,
  deviceName: `gw-${i}`,
  score: 50,
  grade,
  reasons: [],
})

describe('posture distribution', () => {
  it('counts devices per grade with shares (every grade listed, even at zero)', () => {
    const d = gradeDistribution([posture(1, 'A'), posture(2, 'A'), posture(3, 'C'), posture(4, 'F')])
    expect(d.total).toBe(4)
    expect(d.bars.map((b) => [b.grade, b.count, b.pct])).toEqual([
      ['A', 2, 50],
      ['B', 0, 0],
      ['C', 1, 25],
      ['D', 0, 0],
      ['F', 1, 25],
      ['unknown', 0, 0],
    ])
    expect(gradeDistribution([]).bars.every((b) => b.pct === 0)).toBe(true)
  })

  it('shows devices that reported nothing yet as not graded, not as a grade', async () => {
    fakeApi({
      'GET /api/v1/posture/devices': () => ({ body: { devices: [posture(1, 'A'), posture(2, 'unknown')] } }),
    })
    const w = mount(PostureDistribution, { props: { refreshMs: 60_000 } })
    await flushPromises()
    expect(w.get('[data-grade="unknown"]').text()).toContain('Grade unknown')
    expect(w.text()).toContain('1 device graded, 1 not yet (no inventory and hardening report)')
    w.unmount()
  })

  it('shows each grade as text with its count and a bar, and refreshes from the hub', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    let devices = [posture(1, 'A'), posture(2, 'D'), posture(3, 'D')]
    const calls = fakeApi({ 'GET /api/v1/posture/devices': () => ({ body: { devices } }) })
    const w = mount(PostureDistribution, { props: { refreshMs: 60_000 } })
    await flushPromises()
    const row = (g: string) => w.get(`[data-grade="${g}"]`)
    expect(row('A').text()).toContain('Grade A')
    expect(row('A').text()).toContain('1 device (33 %)')
    expect(row('D').text()).toContain('2 devices (67 %)')
    expect(row('F').text()).toContain('0 devices (0 %)')
    expect(row('D').get('.dist__bar').attributes('style')).toContain('width: 67%')
    expect(w.text()).toContain('3 devices graded')

    devices = [...devices, posture(4, 'F')]
    vi.advanceTimersByTime(60_000)
    await flushPromises()
    expect(calls.length).toBe(2)
    expect(row('F').text()).toContain('1 device (25 %)')
    w.unmount()
    vi.useRealTimers()
  })
})
