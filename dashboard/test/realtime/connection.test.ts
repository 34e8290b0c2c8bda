import { describe, expect, it } from 'vitest'
import { ConnectionMonitor } from '../../src/realtime/connection.ts'

const opts = { intervalMs: 10_000, staleAfterIntervals: 2 }

describe('ConnectionMonitor', () => {
  it('is connecting until the first connect, even while retrying', () => {
    const m = new ConnectionMonitor(opts)
    expect(m.snapshot(0).status).toBe('connecting')
    m.reconnectAttempt(2)
    expect(m.snapshot(1000)).toMatchObject({ status: 'connecting', attempts: 2 })
  })

  it('is live while data arrives within two intervals, stale after', () => {
    const m = new ConnectionMonitor(opts)
    m.connected(0)
    expect(m.snapshot(1).status).toBe('live')
    m.data(15_000)
    expect(m.snapshot(35_000).status).toBe('live')
    expect(m.snapshot(35_001).status).toBe('stale')
    m.data(36_000)
    expect(m.snapshot(36_000).status).toBe('live')
  })

  it('widens the stale window when the hub heartbeats slower than the stream interval', () => {
    const m = new ConnectionMonitor(opts)
    m.connected(0)
    m.heartbeat(0)
    m.heartbeat(25_000)
    expect(m.staleAfterMs()).toBe(50_000)
    expect(m.snapshot(70_000).status).toBe('live')
    expect(m.snapshot(75_001).status).toBe('stale')
  })

  it('assumes the configured heartbeat until it has measured one', () => {
    const m = new ConnectionMonitor({ ...opts, heartbeatMs: 25_000 })
    m.connected(0)
    expect(m.snapshot(50_000).status).toBe('live')
    expect(m.snapshot(50_001).status).toBe('stale')
    m.heartbeat(10_000)
    m.heartbeat(15_000)
    // Measured 5 s: the stream interval (10 s) is the larger, so 20 s.
    expect(m.staleAfterMs()).toBe(20_000)
  })

  it('says reconnecting after losing a connection, and live again after reconnecting', () => {
    const m = new ConnectionMonitor(opts)
    m.connected(0)
    m.disconnected('transport close')
    expect(m.snapshot(1).status).toBe('reconnecting')
    m.reconnectAttempt(3)
    expect(m.snapshot(2)).toMatchObject({ status: 'reconnecting', attempts: 3 })
    m.connected(100)
    expect(m.snapshot(101)).toMatchObject({ status: 'live', attempts: 0 })
  })

  it('is offline with the reason when refused, and stays so despite later disconnects', () => {
    const m = new ConnectionMonitor(opts)
    m.refused('unauthorized')
    m.disconnected('io client disconnect')
    m.reconnectAttempt(1)
    expect(m.snapshot(0)).toMatchObject({ status: 'offline', reason: 'unauthorized' })
  })
})
