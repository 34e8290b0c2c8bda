/** Feeds API calls: the hub's advisory feeds, offline bundles, advisory file uploads, the posture notice. */
import type { BundleResult, FeedCreate, FeedPatch } from '@vigil/protocol'
import { dashboardConfig } from '../config.js'
import { ApiRequestError, call, getBearerToken } from './http.js'

/** A File as base64 (what `POST /advisories/import` takes). */
async function base64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let out = ''
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(out)
}

export const feedsApi = {
  list: () => call('GET /feeds'),
  status: () => call('GET /feeds/status'),
  create: (body: FeedCreate) => call('POST /feeds', { body }),
  update: (id: string, body: FeedPatch) => call('PATCH /feeds/:id', { params: { id }, body }),
  remove: (id: string) => call('DELETE /feeds/:id', { params: { id } }),
  sync: (id: string) => call('POST /feeds/:id/sync', { params: { id } }),
  async importFiles(files: File[]) {
    const body = {
      files: await Promise.all(files.map(async (f) => ({ name: f.name, data: await base64(f) }))),
    }
    return call('POST /advisories/import', { body })
  },
  /** An offline bundle, sent as it is (application/zip). */
  async importBundle(file: File) {
    const headers: Record<string, string> = { 'content-type': 'application/zip', accept: 'application/json' }
    const bearer = getBearerToken()
    if (bearer) headers.authorization = `Bearer ${bearer}`
    const res = await fetch(`${dashboardConfig.apiBase}/feeds/bundle`, {
      method: 'POST',
      headers,
      credentials: 'same-origin',
      body: file,
    })
    const body = (await res.json().catch(() => null)) as {
      error?: { code?: string; message?: string }
    } | null
    if (!res.ok)
      throw new ApiRequestError(
        res.status,
        body?.error?.code ?? `HTTP_${res.status}`,
        body?.error?.message ?? 'bundle refused',
      )
    return body as unknown as BundleResult
  },
}
