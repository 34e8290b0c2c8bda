/**
 * A stand-in for the hub's HTTP API in component tests: `fetch` answers from a route table
 * (`'PUT /api/v1/baselines'` → handler). Every call is recorded; an unknown route answers 404.
 */
import type { Role } from '@vigil/protocol'
import { onTestFinished, vi } from 'vitest'
import { restoreSession } from '../src/session.ts'

export interface FakeReply {
  status?: number
  body?: unknown
}
export type FakeRoutes = Record<string, (body: unknown, path: string) => FakeReply | Promise<FakeReply>>

export interface FakeCall {
  method: string
  path: string
  body: unknown
  /** The request's headers, names lower-cased (e.g. `if-match`). */
  headers: Record<string, string>
}

export function fakeApi(routes: FakeRoutes): FakeCall[] {
  const calls: FakeCall[] = []
  const fetch = vi.fn(async (input: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET'
    const path = input.split('?')[0] ?? input
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined
    const headers = Object.fromEntries(new Headers(init.headers).entries())
    calls.push({ method, path, body, headers })
    const handler = routes[`${method} ${path}`]
    const reply: FakeReply = handler
      ? await handler(body, path)
      : { status: 404, body: { error: { code: 'VIGIL_NOT_FOUND', message: `no route ${method} ${path}` } } }
    return new Response(reply.body === undefined ? '' : JSON.stringify(reply.body), {
      status: reply.status ?? 200,
      headers: { 'content-type': 'application/json' },
    })
  })
  vi.stubGlobal('fetch', fetch)
  onTestFinished(() => {
    vi.unstubAllGlobals()
  })
  return calls
}

/** Signs the page in as `role` through the fake session endpoint. */
export async function signedInAs(role: Role, routes: FakeRoutes): Promise<FakeCall[]> {
  const calls = fakeApi({
    'GET /api/v1/session': () => ({ body: { signedIn: true, user: { username: `${role}-user`, role } } }),
    ...routes,
  })
  await restoreSession()
  return calls
}

export const badRequest = (message: string): FakeReply => ({
  status: 400,
  body: { error: { code: 'VIGIL_BAD_REQUEST', message } },
})
