/** Test helpers: device rows, a router with the real route names, and a live client without a socket. */
import type { DeviceSummary } from '@vigil/protocol'
import { shallowRef } from 'vue'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import type { ConnectionSnapshot } from '../src/realtime/connection.ts'
import type { LiveClient, TelemetryHandlers } from '../src/realtime/live.ts'
import { createFeedStore } from '../src/stores/feed.ts'
import { createFleetStore } from '../src/stores/fleet.ts'

export function device(i: number, extra: Partial<DeviceSummary> = {}): DeviceSummary {
  return {
    id: `dev-${String(i).padStart(5, '0')}`,
    name: `gateway-${String(i).padStart(5, '0')}`,
    online: i % 3 !== 0,
    disabled: false,
    lastSeen: '2026-11-28T12:00:00.000Z',
    enrolledAt: '2026-11-01T00:00:00.000Z',
    vendor: i % 2 === 0 ? 'Acme Medical' : 'Globex',
    model: i % 4 === 0 ? 'GW-200' : 'GW-100',
    cpuPct: (i * 7) % 100,
    memUsedPct: (i * 13) % 100,
    telemetryAt: '2026-11-28T12:00:00.000Z',
    failingChecks: i % 5 === 0 ? 2 : 0,
    ...extra,
  }
}

export function devices(n: number): DeviceSummary[] {
  return Array.from({ length: n }, (_, i) => device(i))
}

const blank = { render: () => null }
export function testRouter(): Router {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'home', component: blank },
      { path: '/devices', name: 'devices', component: blank },
      { path: '/devices/:id', name: 'device', component: blank },
      { path: '/manifests', name: 'manifests', component: blank },
    ],
  })
}

/**
 * A live client over the real stores, fed by the test instead of a socket (deltas are applied when the
 * test calls `fleet.flush()`, standing in for the animation frame).
 */
export function testLive(): LiveClient & { subscribers: Map<string, TelemetryHandlers> } {
  const subscribers = new Map<string, TelemetryHandlers>()
  const connection = shallowRef<ConnectionSnapshot>({
    status: 'live',
    lastDataAt: 0,
    connectedAt: 0,
    attempts: 0,
    reason: null,
  })
  return {
    connection,
    fleet: createFleetStore(() => {}),
    feed: createFeedStore(50),
    findingChanges: shallowRef(0),
    subscribers,
    subscribeDevice(id, handlers) {
      subscribers.set(id, handlers)
      return () => subscribers.delete(id)
    },
    close() {},
  }
}
