/**
 * Property-based fuzzing of a hub running in its own process (issue #14): random and hostile payloads
 * for every socket.io client event and every HTTP route that takes a body, as admin and as a stranger.
 * Afterwards the process is alive, its memory is bounded, nothing the hub refused was stored, and a write
 * made after the fuzz succeeds and survives a restart. (The MQTT topics: mqtt-fuzz.test.ts.)
 * Runs are bounded so the whole file takes well under a minute.
 */
import { readFile } from 'node:fs/promises'
import { isSafeName } from '@vigil/protocol'
import fc from 'fast-check'
import { io, type Socket } from 'socket.io-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ADMIN_PASSWORD, tempDir } from '../helpers.ts'
import { type HubProcess, spawnHub } from '../process-hub.ts'

const RUNS_PER_ROUTE = 25
const SOCKET_RUNS = 150

const nest = (open: string, inner: string, close: string, n: number) =>
  open.repeat(n) + inner + close.repeat(n)
/** Bodies no generator is likely to hit: deep nesting, huge strings, prototype pollution, not JSON. */
const HOSTILE_RAW = [
  nest('[', '', ']', 20_000),
  nest('{"a":', '1', '}', 10_000),
  '{"__proto__":{"polluted":true},"name":"x"}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  JSON.stringify({ name: 'x'.repeat(400_000), username: 'y'.repeat(400_000) }),
  JSON.stringify({ toString: 1, valueOf: 1, name: { toString: 1 } }),
  JSON.stringify({ name: 'a\u0000b\u202e\u001b[31m', username: 'admin\r\nx', password: 'p'.repeat(2000) }),
  'null',
  '"text"',
  '-1e999',
  '[]',
  '{',
  '\u0000',
  '',
]
const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'name',
  'username',
  'password',
  'role',
  'id',
  'token',
  'uses',
  'url',
  'kind',
  'threshold',
  'ids',
  'transition',
]
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
  fc
    .array(fc.tuple(fc.constantFrom(...KEYS), fc.jsonValue({ maxDepth: 3 })), { maxLength: 6 })
    .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`),
  fc.constantFrom(...HOSTILE_RAW),
  fc.string({ maxLength: 200 }),
)
const pathPart = fc.oneof(
  fc.constantFrom('zz0', 'admin', '..', '%2e%2e', '%00', 'x'.repeat(300), '__proto__', 'constructor'),
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
)

async function call(
  hub: HubProcess,
  method: string,
  path: string,
  opts: { token?: string; raw?: string } = {},
) {
  const res = await fetch(`${hub.httpUrl}${path}`, {
    method,
    headers: {
      ...(opts.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    ...(opts.raw !== undefined ? { body: opts.raw } : {}),
  })
  const text = await res.text()
  return { status: res.status, text }
}

async function signIn(hub: HubProcess, username: string, password: string) {
  const r = await call(hub, 'POST', '/api/v1/session', { raw: JSON.stringify({ username, password }) })
  expect(r.status, r.text).toBe(200)
  return (JSON.parse(r.text) as { token: string }).token
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
}

async function listOf(hub: HubProcess, token: string, path: string, key: string): Promise<unknown[]> {
  const r = await call(hub, 'GET', path, { token })
  expect(r.status, `${path}: ${r.text}`).toBe(200)
  return (JSON.parse(r.text) as Record<string, unknown[]>)[key] ?? []
}

describe('hub fuzz (issue #14)', () => {
  it('survives random and hostile HTTP bodies and socket.io messages, and stores nothing it refused', async () => {
    const dataDir = await tempDir()
    const env = {
      VIGIL_DATA_DIR: dataDir,
      VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD,
      VIGIL_MQTT_PORT: '0',
      VIGIL_LOGIN_ATTEMPTS_PER_MIN: '100000',
      VIGIL_ENROLL_ATTEMPTS_PER_MIN: '100000',
    }
    const hub = await spawnHub(env)
    const pid = hub.child.pid ?? 0
    const admin = await signIn(hub, 'admin', ADMIN_PASSWORD)
    const doc = JSON.parse((await call(hub, 'GET', '/api/openapi.json')).text) as {
      paths: Record<string, Record<string, unknown>>
    }
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .map((m) => ({ method: m.toUpperCase(), path }))
        .filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method)),
    )
    expect(routes.length).toBeGreaterThan(35)
    const rssBefore = await rssBytes(pid)

    const accepted: string[] = []
    const serverErrors: string[] = []
    for (const route of routes) {
      // Signing out would end the admin session the rest of the run uses.
      const asAdmin = !(route.method === 'DELETE' && route.path === '/api/v1/session')
      if (process.env.FUZZ_DEBUG) process.stderr.write(`${route.method} ${route.path}\n`)
      await fc.assert(
        fc.asyncProperty(
          body,
          fc.array(pathPart, { minLength: 4, maxLength: 4 }),
          fc.boolean(),
          async (raw, parts, anonymous) => {
            let i = 0
            const url = route.path.replace(/\{\w+\}/g, () => parts[i++] ?? 'zz0')
            const token = anonymous || !asAdmin ? undefined : admin
            const r = await call(hub, route.method, url, { token, raw })
            if (r.status >= 500)
              serverErrors.push(
                `${route.method} ${url} ${raw.slice(0, 80)} → ${r.status} ${r.text.slice(0, 200)}`,
              )
            if (r.status < 300) accepted.push(`${route.method} ${route.path}`)
            return r.status < 500
          },
        ),
        { numRuns: RUNS_PER_ROUTE, seed: 14 },
      )
    }
    expect(serverErrors).toEqual([])

    // socket.io: every contract event and some that are not, with arbitrary arguments. A frame over the
    // 64 KiB limit closes that one connection (socket.io's own guard): the next run opens a new one.
    let socket: Socket | undefined
    let reconnects = 0
    const live = async (): Promise<Socket> => {
      if (socket?.connected) return socket
      socket?.close()
      reconnects++
      const s = io(hub.httpUrl, { auth: { token: admin }, transports: ['websocket'], reconnection: false })
      onTestFinished(() => {
        s.close()
      })
      await new Promise<void>((resolve, reject) => {
        s.once('fleet:snapshot', () => resolve())
        s.once('connect_error', reject)
      })
      socket = s
      return s
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'device:subscribe',
          'device:unsubscribe',
          'fleet:snapshot',
          'constructor',
          '__proto__',
          'x',
        ),
        fc.array(
          fc.oneof(
            fc.anything({ maxDepth: 4 }),
            fc.constantFrom({ toString: 1 }, { valueOf: 1 }, 'z'.repeat(70_000)),
          ),
          { maxLength: 3 },
        ),
        async (event, args) => {
          const s = await live()
          const closed = new Promise<'closed'>((resolve) => s.once('disconnect', () => resolve('closed')))
          const answer = await Promise.race([
            s.emitWithAck(event, ...args) as Promise<{ ok?: boolean; error?: { code: string } }>,
            closed,
          ])
          if (answer === 'closed') return JSON.stringify(args).length > 64 * 1024
          return answer.ok === true || typeof answer.error?.code === 'string'
        },
      ),
      { numRuns: SOCKET_RUNS, seed: 14 },
    )
    expect(reconnects).toBeLessThan(SOCKET_RUNS / 2)
    socket?.close()

    // Alive, answering, memory bounded.
    expect(hub.child.exitCode).toBeNull()
    expect((await call(hub, 'GET', '/healthz')).status).toBe(200)
    const rssAfter = await rssBytes(pid)
    if (process.env.FUZZ_DEBUG)
      process.stderr.write(
        `rss ${rssBefore >> 20} → ${rssAfter >> 20} MiB; ${accepted.length} accepted; ${reconnects} sockets\n`,
      )
    expect(rssAfter - rssBefore).toBeLessThan(256 * 1024 * 1024)

    // A write after the fuzz succeeds and survives a restart.
    const created = await call(hub, 'POST', '/api/v1/users', {
      token: admin,
      raw: JSON.stringify({ username: 'after-fuzz', password: 'after fuzz 123', role: 'operator' }),
    })
    expect(created.status, created.text).toBe(201)
    hub.child.kill('SIGTERM')
    await new Promise((resolve) => hub.child.once('exit', resolve))
    const again = await spawnHub(env)
    await signIn(again, 'after-fuzz', 'after fuzz 123')
    const admin2 = await signIn(again, 'admin', ADMIN_PASSWORD)

    // Nothing refused was stored: every record is one an accepted request made, and every name is clean.
    const users = (await listOf(again, admin2, '/api/v1/users', 'users')) as { username: string }[]
    const acceptedCount = (key: string) => accepted.filter((a) => a === key).length
    expect(users.length).toBe(2 + acceptedCount('POST /api/v1/users'))
    const vendors = (await listOf(again, admin2, '/api/v1/vendors', 'vendors')) as { name: string }[]
    expect(vendors.length).toBe(acceptedCount('POST /api/v1/vendors'))
    const devices = (await listOf(again, admin2, '/api/v1/devices', 'devices')) as { name: string }[]
    expect(devices.length).toBe(acceptedCount('POST /api/v1/enroll'))
    const groups = (await listOf(again, admin2, '/api/v1/governance/groups', 'groups')) as { name: string }[]
    expect(groups.length).toBeLessThanOrEqual(acceptedCount('POST /api/v1/governance/groups'))
    for (const name of [
      ...users.map((u) => u.username),
      ...vendors.map((v) => v.name),
      ...devices.map((d) => d.name),
      ...groups.map((g) => g.name),
    ])
      expect(isSafeName(name), JSON.stringify(name)).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  }, 120_000)
})
