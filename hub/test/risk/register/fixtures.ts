/** Real hub + real MQTT device + real OSV Debian records, for the register's API tests. */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type FindingView, type Inventory, PROTOCOL_VERSION, topics } from '@vigil/protocol'
import type { MqttClient } from 'mqtt'
import { inventoryContentHash } from '../../../src/ingest/content-hash.ts'
import type { RunningHub } from '../../../src/server.ts'
import { adminToken, birth, connectEnrolled, enroll, until } from '../../helpers.ts'
import { OSV } from '../advisories/data.ts'

export const DEBIAN_DB = join(
  OSV,
  'google__osv-scanner/cmd/osv-scanner/internal/testcmd/testdata/offline-dbs/Debian',
)
/** DLA-3012-1: libxml2 in Debian 9, fixed in 2.9.4+dfsg1-2.2+deb9u7 (CVE-2022-29824). */
export const DLA_3012 = JSON.parse(readFileSync(join(DEBIAN_DB, 'DLA-3012-1.json'), 'utf8')) as Record<
  string,
  unknown
>
export const VULNERABLE = '2.9.4+dfsg1-2.2+deb9u6'
export const PATCHED = '2.9.4+dfsg1-2.2+deb9u7'

export function inventory(libxml2: string, extra: Inventory['packages'] = []): Inventory {
  const packages: Inventory['packages'] = [
    {
      name: 'libxml2',
      version: libxml2,
      ecosystem: 'deb',
      purl: `pkg:deb/debian/libxml2@${encodeURIComponent(libxml2)}?distro=debian-9`,
    },
    ...extra,
  ]
  const inv: Inventory = {
    v: PROTOCOL_VERSION,
    ts: new Date().toISOString(),
    hash: '',
    os: { platform: 'linux', id: 'debian', versionId: '9', codename: 'stretch', kernel: '4.9', arch: 'x64' },
    packages,
  }
  inv.hash = inventoryContentHash(inv)
  return inv
}

export interface Gateway {
  deviceId: string
  client: MqttClient
  send(inv: Inventory): Promise<void>
}

/** Enrolls a device, connects it over real MQTT and says it is online. */
export async function gateway(hub: RunningHub, name: string): Promise<Gateway> {
  const dev = await enroll(hub, name)
  const client = await connectEnrolled(hub, dev)
  await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth()), {
    qos: 1,
    retain: true,
  })
  return {
    deviceId: dev.deviceId,
    client,
    async send(inv) {
      await client.publishAsync(topics.device(dev.deviceId, 'inventory'), JSON.stringify(inv), { qos: 1 })
      await until(
        () => hub.app.hub.registry.get(dev.deviceId)?.inventoryHash === inv.hash,
        'inventory stored',
      )
    },
  }
}

export interface Api {
  token: string
  get<T = unknown>(
    url: string,
  ): Promise<{ status: number; body: T; text: string; headers: Record<string, unknown> }>
  post<T = unknown>(url: string, payload: unknown): Promise<{ status: number; body: T }>
  put<T = unknown>(url: string, payload: unknown): Promise<{ status: number; body: T }>
  patch<T = unknown>(url: string, payload: unknown): Promise<{ status: number; body: T }>
}

export async function api(hub: RunningHub, token?: string): Promise<Api> {
  const t = token ?? (await adminToken(hub))
  const headers = { authorization: `Bearer ${t}` }
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) => {
    const res = await hub.app.inject({
      method,
      url,
      headers,
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    })
    let body: unknown = res.body
    try {
      body = res.json()
    } catch {}
    return { status: res.statusCode, body, text: res.body, headers: res.headers as Record<string, unknown> }
  }
  return {
    token: t,
    get: async (url) => call('GET', url) as never,
    post: async (url, payload) => call('POST', url, payload) as never,
    patch: async (url, payload) => call('PATCH', url, payload) as never,
    put: async (url, payload) => call('PUT', url, payload) as never,
  }
}

export async function findingsOf(a: Api, query: string): Promise<FindingView[]> {
  const res = await a.get<{ findings: FindingView[] }>(`/api/v1/findings?${query}`)
  if (res.status !== 200) throw new Error(`findings: ${res.status} ${res.text}`)
  return res.body.findings
}

/** Waits until the device's findings satisfy `check`. */
export async function waitFindings(
  a: Api,
  deviceId: string,
  check: (fs: FindingView[]) => boolean,
  what: string,
): Promise<FindingView[]> {
  let last: FindingView[] = []
  await until(async () => {
    last = await findingsOf(a, `device=${deviceId}`)
    return check(last) ? true : undefined
  }, what)
  return last
}
