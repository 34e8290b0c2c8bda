/**
 * Issue #14, finding 1: one socket.io message must never take the hub down. A technician (the lowest
 * staff role) sends hostile arguments to every client event of a hub running in its own process; the
 * process stays up, every refusal is answered with a coded ack, and valid requests keep working.
 */
import { io, type Socket } from 'socket.io-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ADMIN_PASSWORD, tempDir } from '../helpers.ts'
import { spawnHub } from '../process-hub.ts'

type AckResult = { ok: boolean; error?: { code: string; message: string }; data?: unknown }

async function api(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> | null }
}

async function signIn(base: string, username: string, password: string): Promise<string> {
  const res = await api(base, 'POST', '/api/v1/session', { username, password })
  if (res.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(res.json)}`)
  return String(res.json?.token)
}

function connect(base: string, token: string): Promise<Socket> {
  const socket = io(base, { auth: { token }, transports: ['websocket'], reconnection: false })
  onTestFinished(() => {
    socket.close()
  })
  return new Promise((resolve, reject) => {
    socket.once('fleet:snapshot', () => resolve(socket))
    socket.once('connect_error', reject)
  })
}

const ack = (socket: Socket, event: string, ...args: unknown[]) =>
  socket.timeout(10_000).emitWithAck(event, ...args) as Promise<AckResult>

describe('live stream error boundary (issue #14 finding 1)', () => {
  it('survives hostile client messages from a technician and keeps answering', async () => {
    const hub = await spawnHub({
      VIGIL_DATA_DIR: await tempDir(),
      VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD,
      VIGIL_MQTT_PORT: '0',
    })
    const admin = await signIn(hub.httpUrl, 'admin', ADMIN_PASSWORD)
    const created = await api(
      hub.httpUrl,
      'POST',
      '/api/v1/users',
      { username: 'tech', password: 'technician pass 1', role: 'technician' },
      admin,
    )
    expect(created.status).toBe(201)
    const socket = await connect(hub.httpUrl, await signIn(hub.httpUrl, 'tech', 'technician pass 1'))

    const hostile: unknown[][] = [
      [{ toString: 1 }],
      [{ toString: 1, valueOf: 1 }],
      [{ __proto__: { polluted: true } }],
      [JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}')],
      [null],
      [12],
      [['a', 'b']],
      ['x'.repeat(10_000)],
      ['../../etc/passwd'],
      [],
      ['gw-1', 'extra'],
    ]
    // Without an ack: the hub drops the message silently (fire-and-forget) and stays up.
    for (const args of hostile) socket.emit('device:subscribe', ...args)
    for (const args of hostile) socket.emit('device:unsubscribe', ...args)
    socket.emit('no-such-event', { toString: 1 })
    // With an ack: every refusal answers a coded error.
    for (const args of hostile) {
      const r = await ack(socket, 'device:subscribe', ...args)
      expect(r.ok).toBe(false)
      expect(r.error?.code).toBe('VIGIL_BAD_REQUEST')
    }
    const unknown = await ack(socket, 'no-such-event', 1)
    expect(unknown.error?.code).toBe('VIGIL_BAD_REQUEST')

    // Still alive, still answering, still the same process.
    expect(hub.child.exitCode).toBeNull()
    expect(socket.connected).toBe(true)
    const missing = await ack(socket, 'device:subscribe', 'no-such-device')
    expect(missing).toEqual({
      ok: false,
      error: { code: 'VIGIL_NOT_FOUND', message: 'no device no-such-device' },
    })
    expect((await api(hub.httpUrl, 'GET', '/healthz')).status).toBe(200)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(hub.stderr()).not.toMatch(/TypeError|uncaught/i)
  })
})
