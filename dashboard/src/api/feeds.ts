/** Feeds API calls: the hub's advisory feeds, offline bundles, advisory file uploads, the posture notice. */
import {
  AdvisoryFilesResult,
  AdvisoryStatus,
  type BundleResult,
  type FeedCreate,
  FeedList,
  type FeedPatch,
  FeedView,
} from '@vigil/protocol'
import { dashboardConfig } from '../config.js'
import { ApiRequestError, getBearerToken, request, requestVoid } from './http.js'

const feed = (id: string) => `/feeds/${encodeURIComponent(id)}`

/** A File as base64 (what `POST /advisories/import` takes). */
async function base64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let out = ''
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(out)
}

export const feedsApi = {
  list: () => request('/feeds', FeedList),
  status: () => request('/feeds/status', AdvisoryStatus),
  create: (body: FeedCreate) => request('/feeds', FeedView, { method: 'POST', body }),
  update: (id: string, body: FeedPatch) => request(feed(id), FeedView, { method: 'PATCH', body }),
  remove: (id: string) => requestVoid(feed(id), { method: 'DELETE' }),
  sync: (id: string) => request(`${feed(id)}/sync`, FeedView, { method: 'POST' }),
  async importFiles(files: File[]) {
    const body = {
      files: await Promise.all(files.map(async (f) => ({ name: f.name, data: await base64(f) }))),
    }
    return request('/advisories/import', AdvisoryFilesResult, { method: 'POST', body })
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
