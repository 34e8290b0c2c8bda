import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ConnectionIndicator from '../../src/components/ConnectionIndicator.vue'
import { ConnectionMonitor, type ConnectionSnapshot } from '../../src/realtime/connection.ts'

const base: ConnectionSnapshot = { status: 'live', lastDataAt: 0, connectedAt: 0, attempts: 0, reason: null }
const show = (c: Partial<ConnectionSnapshot>) =>
  mount(ConnectionIndicator, { props: { connection: { ...base, ...c } } })

describe('ConnectionIndicator', () => {
  it.each([
    ['live', 'Live'],
    ['stale', 'Stale'],
    ['reconnecting', 'Reconnecting'],
    ['connecting', 'Connecting'],
    ['offline', 'Disconnected'],
  ] as const)('shows %s as the word "%s" in a live region', (status, word) => {
    const w = show({ status })
    expect(w.get('[role="status"]').attributes('data-status')).toBe(status)
    expect(w.get('.conn__text').text()).toBe(word)
  })

  it('never says Live when the monitor finds the data stale', () => {
    const m = new ConnectionMonitor({ intervalMs: 10_000, staleAfterIntervals: 2 })
    m.connected(0)
    m.data(0)
    const w = mount(ConnectionIndicator, { props: { connection: m.snapshot(20_001) } })
    expect(w.text()).toContain('Stale')
    expect(w.text()).not.toContain('Live')
    expect(w.text()).toContain('no data since')
  })

  it('names the attempt while reconnecting and the reason when disconnected', () => {
    expect(show({ status: 'reconnecting', attempts: 4 }).text()).toContain('attempt 4')
    expect(show({ status: 'offline', reason: 'session expired' }).text()).toContain('session expired')
  })
})
