/**
 * The command line's way into a running hub: its HTTP API, signed in as an admin (a token from
 * `--token`/VIGIL_TOKEN, or `--user` with the password from VIGIL_PASSWORD or VIGIL_ADMIN_PASSWORD).
 */
import { API_PREFIX } from '@vigil/protocol'
import type { HubConfig } from '../config.js'

export interface ClientOptions {
  hub?: string
  token?: string
  user?: string
  password?: string
  env?: Record<string, string | undefined>
}

export class HubClientError extends Error {}

export function hubUrl(
  config: Pick<HubConfig, 'httpHost' | 'httpPort'>,
  explicit?: string,
  env = process.env,
): string {
  const given = explicit ?? env.VIGIL_HUB_URL
  if (given) return given.replace(/\/+$/, '')
  const host = config.httpHost === '0.0.0.0' || config.httpHost === '::' ? '127.0.0.1' : config.httpHost
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.httpPort}`
}

/** Whether a hub answers at `url` (its /healthz, within a second). */
export async function hubAnswers(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })
    await r.body?.cancel()
    return r.ok
  } catch {
    return false
  }
}

export class HubClient {
  #token: string | undefined

  constructor(
    readonly url: string,
    private readonly o: ClientOptions & { adminPassword?: string },
  ) {
    const env = o.env ?? process.env
    this.#token = o.token ?? env.VIGIL_TOKEN
  }

  async #signIn(): Promise<string> {
    if (this.#token) return this.#token
    const env = this.o.env ?? process.env
    const password = this.o.password ?? env.VIGIL_PASSWORD ?? this.o.adminPassword
    if (!password)
      throw new HubClientError(
        'no credentials: set VIGIL_PASSWORD (or VIGIL_ADMIN_PASSWORD) for the admin, or VIGIL_TOKEN / --token',
      )
    const r = await fetch(`${this.url}${API_PREFIX}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: this.o.user ?? 'admin', password }),
    })
    if (r.status !== 200) throw new HubClientError(`sign-in to ${this.url} failed: ${await errorText(r)}`)
    this.#token = ((await r.json()) as { token: string }).token
    return this.#token
  }

  async request(method: string, path: string, body?: unknown, type = 'application/json'): Promise<Response> {
    const token = await this.#signIn()
    const headers: Record<string, string> = { authorization: `Bearer ${token}` }
    let payload: string | Uint8Array | undefined
    if (body !== undefined) {
      headers['content-type'] = type
      payload = Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body)
    }
    let r: Response
    try {
      r = await fetch(`${this.url}${path}`, { method, headers, body: payload })
    } catch (err) {
      throw new HubClientError(
        `no hub answers at ${this.url} (${(err as Error).message}): start it or pass --hub`,
      )
    }
    if (r.status >= 400) throw new HubClientError(`${method} ${path}: ${await errorText(r)}`)
    return r
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T
  }
}

async function errorText(r: Response): Promise<string> {
  const text = await r.text()
  try {
    const e = JSON.parse(text) as { error?: { code?: string; message?: string } }
    if (e.error) return `${r.status} ${e.error.code}: ${e.error.message}`
  } catch {}
  return `${r.status} ${text.slice(0, 200)}`
}
