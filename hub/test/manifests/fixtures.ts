/** A hub with a vendor, its keys, and signed manifests for the manifest tests. */
import type { DsseEnvelope, ManifestPayload } from '@vigil/protocol'
import { generateKeyPair, type KeyPair, signManifest } from '@vigil/protocol/signing'
import type { RunningHub } from '../../src/server.ts'
import { adminToken } from '../helpers.ts'

export const DAY = 86_400_000

export function manifest(overrides: Partial<ManifestPayload> = {}): ManifestPayload {
  const now = Date.now()
  return {
    vendor: 'Acme Medical',
    product: 'infusion-gw',
    version: '4.2.1',
    releasedAt: new Date(now - DAY).toISOString(),
    expiresAt: new Date(now + 180 * DAY).toISOString(),
    appliesTo: { models: ['IGW-200'], versions: 'vers:generic/>=4.0.0|<4.2.1' },
    fixes: ['CVE-2024-3094'],
    artifacts: [
      {
        name: 'igw-4.2.1.bin',
        url: 'https://updates.acme.example/igw-4.2.1.bin',
        sha256: 'a'.repeat(64),
        size: 1024,
      },
    ],
    ...overrides,
  }
}

export interface VendorFixture {
  id: string
  token: string
  keys: KeyPair[]
}

export async function api(
  hub: RunningHub,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  token: string,
  payload?: unknown,
) {
  const res = await hub.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${token}`,
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(payload !== undefined
      ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }
      : {}),
  })
  return {
    status: res.statusCode,
    body: res.body
      ? (res.json() as Record<string, unknown> & { error?: { code: string; message: string } })
      : {},
  }
}

/** Creates a vendor with `keyCount` registered keys and the given threshold. */
export async function createVendor(
  hub: RunningHub,
  opts: { name?: string; keyCount?: number; threshold?: number } = {},
): Promise<VendorFixture> {
  const admin = await adminToken(hub)
  const created = await api(hub, 'POST', '/api/v1/vendors', admin, {
    name: opts.name ?? 'Acme Medical',
    ...(opts.threshold ? { threshold: opts.threshold } : {}),
  })
  if (created.status !== 201) throw new Error(`vendor: ${JSON.stringify(created.body)}`)
  const { id, token } = created.body as { id: string; token: string }
  const keys: KeyPair[] = []
  for (let i = 0; i < (opts.keyCount ?? 1); i++) {
    const k = generateKeyPair()
    const r = await api(hub, 'POST', `/api/v1/vendors/${id}/keys`, admin, { publicKeyPem: k.publicKeyPem })
    if (r.status !== 201) throw new Error(`key: ${JSON.stringify(r.body)}`)
    keys.push(k)
  }
  return { id, token, keys }
}

export function sign(payload: ManifestPayload, keys: readonly KeyPair[]): DsseEnvelope {
  return signManifest(
    payload,
    keys.map((k) => k.privateKeyPem),
  )
}

export async function push(hub: RunningHub, token: string, envelope: unknown) {
  return api(
    hub,
    'POST',
    '/api/v1/manifests',
    token,
    typeof envelope === 'string' ? envelope : JSON.stringify(envelope),
  )
}
