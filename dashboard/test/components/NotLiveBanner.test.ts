import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import NotLiveBanner from '../../src/components/NotLiveBanner.vue'
import type { ConnectionSnapshot } from '../../src/realtime/connection.ts'

const at = (status: ConnectionSnapshot['status']): ConnectionSnapshot => ({
  status,
  lastDataAt: Date.parse('2026-11-28T12:00:00Z'),
  connectedAt: 0,
  attempts: 1,
  reason: null,
})

describe('NotLiveBanner', () => {
  it.each(['stale', 'reconnecting', 'offline'] as const)('warns in words when the stream is %s', (status) => {
    const w = mount(NotLiveBanner, { props: { connection: at(status), asOf: null } })
    expect(w.get('[role="alert"]').text()).toContain('Not live.')
  })

  it('stays out of the way while live', () => {
    const w = mount(NotLiveBanner, { props: { connection: at('live'), asOf: null } })
    expect(w.find('[role="alert"]').exists()).toBe(false)
  })
})
