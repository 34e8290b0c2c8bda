/**
 * Issue 12 fault tests on a real hub: (a) 300 devices of one image at once, (d) the data directory on
 * a small tmpfs filled and freed, (g) a device clock a day ahead, then corrected.
 */
import { execFileSync } from 'node:child_process'
import { appendFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type HardeningReport, type Inventory, PROTOCOL_VERSION, topics } from '@vigil/protocol'
import type { MqttClient } from 'mqtt'
import { describe, expect, it, onTestFinished } from 'vitest'
import { hardeningContentHash, inventoryContentHash } from '../../src/ingest/content-hash.ts'
import type { RunningHub } from '../../src/server.ts'
import {
  adminToken,
  birth,
  connectDevice,
  connectEnrolled,
  type Enrolled,
  enroll,
  metric,
  tempDir,
  testHub,
  until,
} from '../helpers.ts'

async function enrollMany(hub: RunningHub, n: number): Promise<Enrolled[]> {
  const auth = { authorization: `Bearer ${await adminToken(hub)}` }
  const t = await hub.app.inject({
    method: 'POST',
    url: '/api/v1/enrollment-tokens',
    headers: auth,
    payload: { uses: n },
  })
  const token = t.json<{ token: string }>().token
  const out: Enrolled[] = []
  for (let i = 0; i < n; i++) {
    const res = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/enroll',
      payload: { token, name: `gw-${i}` },
    })
    if (res.statusCode !== 201) throw new Error(`enroll failed: ${res.body}`)
    out.push(res.json<Enrolled>())
  }
  return out
}

function imageInventory(): Inventory {
  const inv: Inventory = {
    v: PROTOCOL_VERSION,
    ts: new Date().toISOString(),
    hash: '',
    os: { platform: 'linux', id: 'debian', versionId: '12', kernel: '6.1', arch: 'x64' },
    packages: Array.from({ length: 400 }, (_, i) => ({
      name: `pkg${i}`,
      version: `1.${i}`,
      ecosystem: 'deb' as const,
      purl: `pkg:deb/debian/pkg${i}@1.${i}`,
    })),
  }
  inv.hash = inventoryContentHash(inv)
  return inv
}

function imageHardening(): HardeningReport {
  const r: HardeningReport = {
    v: PROTOCOL_VERSION,
    ts: new Date().toISOString(),
    hash: '',
    baseline: { id: 'vigil-default', version: 1 },
    results: [
      {
        id: 'no-telnet',
        title: 'no telnet',
        severity: 'high',
        status: 'fail',
        evidence: '/usr/bin/telnet exists',
      },
    ],
    drift: [],
  }
  r.hash = hardeningContentHash(r)
  return r
}

describe('storage faults (issue 12)', () => {
  it('(a) 300 devices of one image sending the same inventory and hardening at once all get both', async () => {
    const hub = await testHub({ enrollAttemptsPerMin: 1000 })
    const devices = await enrollMany(hub, 300)
    const clients = await Promise.all(devices.map((d) => connectEnrolled(hub, d)))
    const inv = JSON.stringify(imageInventory())
    const hardening = JSON.stringify(imageHardening())
    await Promise.all(
      clients.map((c, i) => {
        const id = devices[i]?.deviceId as string
        return Promise.all([
          c.publishAsync(topics.device(id, 'inventory'), inv, { qos: 1 }),
          c.publishAsync(topics.device(id, 'hardening'), hardening, { qos: 1 }),
        ])
      }),
    )
    // Acknowledged means stored: no waiting needed after the PUBACKs.
    for (const d of devices) {
      const rec = hub.app.hub.registry.get(d.deviceId)
      expect(rec?.inventoryHash, d.deviceId).toBe(imageInventory().hash)
      expect(rec?.hardeningHash, d.deviceId).toBe(imageHardening().hash)
    }
    expect(await metric(hub, 'vigil_mqtt_rejected_total', { reason: 'internal' })).toBe(0)
  }, 120_000)

  it('refuses (and counts) content under a hash that is not its own', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    const real = imageInventory()
    const forged = { ...real, packages: real.packages.slice(1) }
    await client.publishAsync(topics.device(dev.deviceId, 'inventory'), JSON.stringify(forged), { qos: 1 })
    expect(hub.app.hub.store.inventories.has(real.hash)).toBe(false)
    expect(hub.app.hub.registry.get(dev.deviceId)?.inventoryHash).toBeUndefined()
    expect(await metric(hub, 'vigil_ingest_refused_total', { reason: 'hash-mismatch' })).toBe(1)
  })

  const root = typeof process.getuid === 'function' && process.getuid() === 0
  it.runIf(root)(
    '(d) a full data disk: not ready with the reason, 507, nothing acknowledged lost, recovers',
    async () => {
      const mount = await tempDir()
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mount])
      onTestFinished(() => {
        execFileSync('umount', ['-l', mount])
      })
      const dataDir = join(mount, 'data')
      let hub = await testHub({ flushIntervalMs: 200 }, dataDir)
      const token = await adminToken(hub)
      const auth = { authorization: `Bearer ${token}` }
      const dev = await enroll(hub, 'before-full')
      const spare = await hub.app.inject({
        method: 'POST',
        url: '/api/v1/enrollment-tokens',
        headers: auth,
        payload: { uses: 5 },
      })
      const enrollToken = spare.json<{ token: string }>().token
      const filler = join(mount, 'filler')
      await writeFile(filler, '')
      try {
        for (;;) await appendFile(filler, Buffer.alloc(32 * 1024, 1))
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC')
      }
      // Writes until the store notices, then every write is refused with the coded error.
      let refused: { statusCode: number; json(): { error: { code: string } } } | undefined
      for (let i = 0; i < 50 && !refused; i++) {
        const res = await hub.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: auth,
          payload: { username: `full${i}`, password: 'long enough password', role: 'technician' },
        })
        if (res.statusCode !== 201) refused = res
      }
      expect(refused?.statusCode).toBe(507)
      expect(refused?.json().error.code).toBe('VIGIL_STORAGE_FULL')
      const ready = await hub.app.inject({ method: 'GET', url: '/readyz' })
      expect(ready.statusCode).toBe(503)
      expect(ready.body).toContain('storage full')
      expect(await metric(hub, 'vigil_store_errors_total')).toBeGreaterThanOrEqual(1)
      // A failed enrollment leaves no device behind.
      const devicesBefore = hub.app.hub.store.devices.size
      const enrolled = await hub.app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        payload: { token: enrollToken, name: 'while-full' },
      })
      expect(enrolled.statusCode).toBe(507)
      expect(hub.app.hub.store.devices.size).toBe(devicesBefore)
      // A device message that cannot be stored is not acknowledged: the connection is closed without a PUBACK.
      const client: MqttClient = await connectEnrolled(hub, dev)
      const event = {
        v: PROTOCOL_VERSION,
        id: 'e-full',
        ts: new Date().toISOString(),
        kind: 'drift',
        severity: 'info',
        message: 'x',
        seq: 1,
        epoch: 'fullfullfull',
      }
      const outcome = await Promise.race([
        client
          .publishAsync(topics.device(dev.deviceId, 'event'), JSON.stringify(event), { qos: 1 })
          .then(() => 'acked'),
        new Promise((r) => client.once('close', () => r('closed'))),
      ])
      expect(outcome).toBe('closed')
      // Space returns: the hub recovers by itself.
      await rm(filler)
      await until(
        async () => (await hub.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200,
        'ready again',
      )
      const again = await connectDevice(hub, {
        username: dev.mqtt.username,
        password: dev.mqtt.password,
        clientId: dev.deviceId,
      })
      await again.publishAsync(topics.device(dev.deviceId, 'event'), JSON.stringify(event), { qos: 1 })
      const ok = await hub.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: auth,
        payload: { username: 'after-full', password: 'long enough password', role: 'technician' },
      })
      expect(ok.statusCode).toBe(201)
      again.end(true)
      await hub.close()
      hub = await testHub({}, dataDir)
      const users = hub.app.hub.store.users.values().map((u) => u.username)
      expect(users).toContain('after-full')
      expect(hub.app.hub.store.devices.values().map((d) => d.name)).not.toContain('while-full')
      const events = await hub.app.hub.store.events.read({ filter: (e) => e.deviceId === dev.deviceId })
      expect(events.filter((e) => e.event.id === 'e-full')).toHaveLength(1)
    },
    60_000,
  )

  it('(g) orders state by arrival: a clock a day ahead is flagged, and a corrected clock is not ignored', async () => {
    const hub = await testHub()
    const dev = await enroll(hub)
    const day = 24 * 3600_000
    const ahead = await connectEnrolled(hub, dev)
    await ahead.publishAsync(
      topics.device(dev.deviceId, 'state'),
      JSON.stringify(birth({ ts: new Date(Date.now() + day).toISOString() })),
      { qos: 1, retain: true },
    )
    let rec = hub.app.hub.registry.get(dev.deviceId)
    expect(rec?.online).toBe(true)
    expect(rec?.clockSkewMs).toBeGreaterThan(day - 60_000)
    await ahead.publishAsync(
      topics.device(dev.deviceId, 'state'),
      JSON.stringify({
        v: PROTOCOL_VERSION,
        status: 'offline',
        ts: new Date(Date.now() + day).toISOString(),
        reason: 'shutdown',
      }),
      { qos: 1, retain: true },
    )
    ahead.end(true)
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.online === false, 'offline')
    // The clock was corrected: the next birth is older than the last one by the device's clock.
    const corrected = await connectEnrolled(hub, dev)
    await corrected.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth()), {
      qos: 1,
      retain: true,
    })
    rec = hub.app.hub.registry.get(dev.deviceId)
    expect(rec?.online).toBe(true)
    expect(rec?.lastState?.status).toBe('online')
    expect(rec?.clockSkewMs).toBeUndefined()
    const token = await adminToken(hub)
    const listed = await hub.app.inject({
      method: 'GET',
      url: `/api/v1/devices/${dev.deviceId}`,
      headers: { authorization: `Bearer ${token}` },
    })
    expect(listed.json<{ deviceTime?: string }>().deviceTime).toBeDefined()
  })
})
