import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest'
import { sign } from '../../../src/risk/webhooks/dispatcher.ts'
import { adminToken, tempDir, testHub, until } from '../../helpers.ts'
import { api, DLA_3012, gateway, inventory, VULNERABLE, waitFindings } from '../register/fixtures.ts'

interface Received {
  headers: IncomingHttpHeaders
  body: string
}

/** A real local HTTP receiver answering with the statuses given, in order (then 200). */
async function receiver(statuses: number[]) {
  const received: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.statusCode = statuses.shift() ?? 200
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, statuses }
}

const SECRET = 'a-shared-secret-of-the-ticketing-system'

afterEach(() => {
  vi.useRealTimers()
})

describe('webhooks', () => {
  it('announces an overdue finding and an acceptance about to expire, once each', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const rx = await receiver([])
    const hub = await testHub()
    const a = await api(hub)
    await a.post('/api/v1/webhooks', { url: rx.url, events: ['finding.overdue', 'acceptance.expiring'] })
    await a.put('/api/v1/register/sla', {
      critical: 7,
      high: 14,
      medium: 30,
      low: 60,
      none: 90,
      unknown: 1,
      kevDays: 14,
      ssvc: { immediateHours: 24, outOfCycleDays: 1, scheduledDays: 1 },
    })
    await a.post('/api/v1/advisories', DLA_3012)
    const one = await gateway(hub, 'gw-overdue')
    const two = await gateway(hub, 'gw-accepted')
    await one.send(inventory(VULNERABLE))
    await two.send(inventory(VULNERABLE))
    const [accept] = await waitFindings(a, two.deviceId, (fs) => fs.length === 1, 'finding')
    await a.post(`/api/v1/findings/${accept?.id}/transition`, {
      state: 'accepted',
      why: 'later',
      justification: 'isolated',
      approver: 'CISO',
      expiresAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
    })
    vi.setSystemTime(Date.now() + 4 * 86_400_000)
    const b = await api(hub, await adminToken(hub))
    await b.get('/api/v1/findings')
    await b.get('/api/v1/findings')
    await until(() => rx.received.length >= 2, 'two deliveries')
    const events = rx.received.map(
      (r) => `${r.headers['x-vigil-event']}:${JSON.parse(r.body).data.finding.deviceName}`,
    )
    expect(events.sort()).toEqual(['acceptance.expiring:gw-accepted', 'finding.overdue:gw-overdue'])
    // a further sweep announces nothing again
    await b.get('/api/v1/findings')
    const queued = await b.get<{ deliveries: unknown[] }>('/api/v1/webhooks/deliveries')
    expect(queued.body.deliveries).toEqual([])
    expect(rx.received).toHaveLength(2)
  })

  it('signs each delivery with HMAC-SHA256 of the raw body and retries with backoff until 2xx', async () => {
    const rx = await receiver([500, 503])
    const hub = await testHub()
    const a = await api(hub)
    const created = await a.post<{ id: string; secret: string }>('/api/v1/webhooks', {
      url: rx.url,
      events: ['finding.kev'],
      secret: SECRET,
    })
    expect(created.status).toBe(201)
    expect(created.body.secret).toBe(SECRET)
    await a.post('/api/v1/advisories', DLA_3012)
    await a.post('/api/v1/advisories', {
      title: 'CISA Catalog of Known Exploited Vulnerabilities',
      catalogVersion: '2026.11.28',
      dateReleased: '2026-11-28T00:00:00.000Z',
      count: 1,
      vulnerabilities: [
        {
          cveID: 'CVE-2022-29824',
          vendorProject: 'xmlsoft',
          product: 'libxml2',
          dateAdded: '2026-11-01',
          dueDate: '2026-12-15',
        },
      ],
    })
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    await until(() => rx.received.length === 3, 'three attempts (500, 503, 200)')
    const [first, , last] = rx.received
    expect(first?.headers['x-vigil-event']).toBe('finding.kev')
    expect(last?.headers['x-vigil-delivery']).toBe(first?.headers['x-vigil-delivery'])
    const body = last?.body ?? ''
    const expected = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`
    expect(last?.headers['x-vigil-signature']).toBe(expected)
    expect(sign(SECRET, `${body} `)).not.toBe(expected)
    const payload = JSON.parse(body) as { event: string; data: { finding: { cve: string; kev: boolean } } }
    expect(payload).toMatchObject({
      event: 'finding.kev',
      data: {
        finding: {
          cve: 'CVE-2022-29824',
          kev: true,
          // issue 17: webhooks carry the SSVC decision
          ssvc: {
            outcome: 'immediate',
            exploitation: { value: 'active', source: 'CISA KEV (added 2026-11-01)' },
          },
        },
      },
    })
    await until(async () => {
      const d = await a.get<{ deliveries: unknown[] }>('/api/v1/webhooks/deliveries')
      return d.body.deliveries.length === 0 ? true : undefined
    }, 'queue drained')
  })

  it('announces a changed SSVC decision (finding.decision) with the outcome before', async () => {
    const rx = await receiver([])
    const hub = await testHub()
    const a = await api(hub)
    await a.post('/api/v1/webhooks', { url: rx.url, events: ['finding.decision'] })
    await a.post('/api/v1/advisories', DLA_3012)
    const gw = await gateway(hub, 'gw-pump')
    await gw.send(inventory(VULNERABLE))
    await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    // unknown context: out-of-cycle; a small, non-clinical device: defer
    await a.patch(`/api/v1/devices/${gw.deviceId}`, {
      context: { clinicalFunction: 'non-clinical', exposure: 'small' },
    })
    await until(() => rx.received.length >= 1, 'decision delivery')
    const payload = JSON.parse(rx.received[0]?.body ?? '') as {
      event: string
      data: { before: string; finding: { deviceName: string; ssvc: { outcome: string } } }
    }
    expect(payload).toMatchObject({
      event: 'finding.decision',
      data: { before: 'out-of-cycle', finding: { deviceName: 'gw-pump', ssvc: { outcome: 'defer' } } },
    })
    // the same context again changes no decision: nothing more is announced
    await a.patch(`/api/v1/devices/${gw.deviceId}`, { context: { clinicalFunction: 'non-clinical' } })
    await a.get('/api/v1/findings')
    expect(rx.received).toHaveLength(1)
  })

  it('keeps undelivered events in a persisted queue across a hub restart', async () => {
    const rx = await receiver([503])
    const dir = await tempDir()
    const hub = await testHub({}, dir)
    const a = await api(hub)
    const { body } = await a.post<{ id: string }>('/api/v1/webhooks', { url: rx.url, events: ['ping'] })
    rx.statuses.push(503, 503, 503, 503, 503)
    await a.post(`/api/v1/webhooks/${body.id}/test`, {})
    // The receiver answers before the dispatcher records the answer: wait for the recorded state.
    const pending = await until(async () => {
      const d = await a.get<{ deliveries: { attempts: number; status: string; lastError?: string }[] }>(
        '/api/v1/webhooks/deliveries',
      )
      return d.body.deliveries[0]?.lastError !== undefined ? d.body.deliveries[0] : undefined
    }, 'first attempt recorded')
    expect(pending).toMatchObject({ status: 'pending', lastError: 'HTTP 503' })
    await hub.close()
    rx.statuses.length = 0
    const before = rx.received.length
    const again = await testHub({}, dir)
    const b = await api(again)
    await until(async () => {
      const d = await b.get<{ deliveries: unknown[] }>('/api/v1/webhooks/deliveries')
      return d.body.deliveries.length === 0 ? true : undefined
    }, 'delivered after restart')
    expect(rx.received.length).toBeGreaterThan(before)
    expect(rx.received.at(-1)?.headers['x-vigil-event']).toBe('ping')
  })

  it('only admins manage webhooks; a bad URL is refused naming the field', async () => {
    const hub = await testHub()
    const a = await api(hub)
    const bad = await a.post<{ error: { message: string } }>('/api/v1/webhooks', {
      url: 'ftp://x',
      events: ['finding.new'],
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/url/)
    const anon = await hub.app.inject({ method: 'GET', url: '/api/v1/webhooks' })
    expect(anon.statusCode).toBe(401)
  })

  it('lists endpoints with every stored field but the secret, which only the creation answer shows', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    const a = await api(hub)
    const created = await a.post<Record<string, unknown>>('/api/v1/webhooks', {
      url: 'https://siem.example/hook',
      events: ['finding.new'],
      description: 'SIEM',
    })
    expect(created.status).toBe(201)
    expect(Object.keys(created.body).sort()).toEqual(['events', 'id', 'secret', 'url'])
    const list = await a.get<{ webhooks: Record<string, unknown>[] }>('/api/v1/webhooks')
    expect(list.body.webhooks).toEqual([
      {
        id: created.body.id,
        url: 'https://siem.example/hook',
        events: ['finding.new'],
        description: 'SIEM',
        createdAt: expect.any(String),
        createdBy: 'admin',
      },
    ])
    const del = await hub.app.inject({
      method: 'DELETE',
      url: `/api/v1/webhooks/${created.body.id}`,
      headers: { authorization: `Bearer ${token}` },
    })
    expect([del.statusCode, del.body]).toEqual([204, ''])
    expect((await a.get<{ webhooks: unknown[] }>('/api/v1/webhooks')).body.webhooks).toEqual([])
  })
})
