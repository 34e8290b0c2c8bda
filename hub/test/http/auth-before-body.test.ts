/**
 * Issue #14, finding 6: authentication (and the role check) come before body parsing on every route.
 * Uploads are streamed over a raw socket a chunk at a time, and stop as soon as the hub answers: an
 * answer that arrives before the body was finished proves the hub never waited for (or buffered) it.
 */
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { RunningHub } from '../../src/server.ts'
import { ADMIN_PASSWORD, adminToken, testHub } from '../helpers.ts'

const CHUNK = Buffer.alloc(64 * 1024, 0x20)

/** Posts `total` bytes of body (declared up front), stopping when the answer comes; answers both. */
async function upload(
  hub: RunningHub,
  opts: { method: string; path: string; total: number; token?: string; headersOnly?: boolean },
) {
  const { port, hostname } = new URL(hub.httpUrl)
  const socket = connect(Number(port), hostname)
  let answer = ''
  socket.on('data', (d: Buffer) => {
    answer += d.toString('latin1')
  })
  socket.on('error', () => {})
  socket.on('close', () => {})
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(
    `${opts.method} ${opts.path} HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\n` +
      `content-length: ${opts.total}\r\n${opts.token ? `authorization: Bearer ${opts.token}\r\n` : ''}\r\n`,
  )
  let sent = 0
  while (!opts.headersOnly && sent < opts.total && !answer.includes('\r\n\r\n') && !socket.destroyed) {
    const n = Math.min(CHUNK.length, opts.total - sent)
    const flushed = socket.write(CHUNK.subarray(0, n))
    sent += n
    if (!flushed)
      await new Promise((r) => {
        socket.once('drain', r)
        socket.once('close', r)
      })
    // Give the hub a turn to answer before the next chunk.
    await new Promise((r) => setImmediate(r))
  }
  // (a hub that waited for the rest of the body would never answer: bounded wait, then the test fails)
  for (let i = 0; i < 1000 && !answer.includes('\r\n\r\n') && !socket.destroyed; i++)
    await new Promise((r) => setTimeout(r, 5))
  socket.destroy()
  const status = Number(answer.split(' ')[1])
  return { status, sent, finished: sent >= opts.total }
}

describe('authentication before body parsing (issue #14 finding 6)', () => {
  it('refuses an anonymous 30 MB advisory upload without reading the body', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    const total = 30 * 1024 * 1024
    const r = await upload(hub, { method: 'POST', path: '/api/v1/advisories', total })
    expect(r.status).toBe(401)
    expect(r.finished).toBe(false)
    expect(r.sent).toBeLessThan(total / 4)
  })

  it('refuses a wrong-role 30 MB advisory upload without reading the body', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    const admin = await adminToken(hub)
    await hub.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${admin}` },
      payload: { username: 'tech', password: 'technician 12345', role: 'technician' },
    })
    const s = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'tech', password: 'technician 12345' },
    })
    const total = 30 * 1024 * 1024
    const r = await upload(hub, { method: 'POST', path: '/api/v1/advisories', total, token: s.json().token })
    expect(r.status).toBe(403)
    expect(r.finished).toBe(false)
  })

  it('answers 401 before the body on every guarded route that takes one', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    const guarded = [...hub.app.routeAccess.entries()].filter(
      ([key, access]) => access.kind !== 'public' && /^(POST|PUT|PATCH|DELETE) \/api\/v1/.test(key),
    )
    expect(guarded.length).toBeGreaterThan(30)
    const late: string[] = []
    for (const [key] of guarded) {
      const [method = 'POST', path = ''] = key.split(' ')
      const r = await upload(hub, { method, path: path.replace(/:\w+/g, 'zz0'), total: 900 * 1024 })
      if (r.status !== 401 || r.finished)
        late.push(`${key}: ${r.status}${r.finished ? ' after the whole body' : ''}`)
    }
    expect(late).toEqual([])
  })

  it('keeps small body limits on the routes a stranger may call', async () => {
    const hub = await testHub({ adminPassword: ADMIN_PASSWORD })
    for (const path of ['/api/v1/session', '/api/v1/enroll']) {
      // The declared length alone is refused: the answer comes with no body byte sent.
      const r = await upload(hub, { method: 'POST', path, total: 900 * 1024, headersOnly: true })
      expect(r.status, path).toBe(413)
      expect(r.finished, path).toBe(false)
    }
  })
})
