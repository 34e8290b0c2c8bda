import type { FeedCreate, FeedSyncResult, FeedView } from '@vigil/protocol'
import type { RunningHub } from '../../src/server.ts'
import { adminToken, testHub } from '../helpers.ts'

/** A hub whose feed requests time out and retry quickly. */
export function feedHub(dataDir?: string): Promise<RunningHub> {
  return testHub({ feedTimeoutMs: 1500, feedRetries: 1, feedBackoffMs: 10 }, dataDir)
}

export interface FeedApi {
  token: string
  add(body: FeedCreate): Promise<FeedView>
  list(): Promise<FeedView[]>
  /** POST …/sync (202), then waits for that sync's result. */
  sync(id: string): Promise<FeedSyncResult>
  call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ): Promise<{ status: number; body: unknown }>
}

export async function feedApi(hub: RunningHub, token?: string): Promise<FeedApi> {
  const t = token ?? (await adminToken(hub))
  const call: FeedApi['call'] = async (method, url, payload) => {
    const res = await hub.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${t}` },
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    })
    let body: unknown = res.body
    try {
      body = res.json()
    } catch {}
    return { status: res.statusCode, body }
  }
  return {
    token: t,
    call,
    async add(body) {
      const r = await call('POST', '/api/v1/feeds', body)
      if (r.status !== 201) throw new Error(`add feed: ${r.status} ${JSON.stringify(r.body)}`)
      return r.body as FeedView
    },
    async list() {
      return ((await call('GET', '/api/v1/feeds')).body as { feeds: FeedView[] }).feeds
    },
    async sync(id) {
      const r = await call('POST', `/api/v1/feeds/${id}/sync`)
      if (r.status !== 202) throw new Error(`sync: ${r.status} ${JSON.stringify(r.body)}`)
      const feeds = hub.app.feeds
      if (!feeds) throw new Error('no feeds feature')
      // Joins the sync the request started (one per feed at a time); the 202 is sent after the
      // store's commit, so a fast sync may already be over: then its result is the last one.
      const result = await feeds.joinSync(id)
      if (!result) throw new Error('the sync the request started left no result')
      return result
    },
  }
}

/** Only the document requests of a request log (not metadata, listings, hashes or signatures). */
export function documentsIn(log: string[]): string[] {
  return log.filter((l) => /\.json$/.test(l) && !/provider-metadata|feed-tlp/.test(l))
}
