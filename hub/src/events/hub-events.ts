/** In-process notifications from the ingest pipeline to the live stream (and later features). */
import type { FeedItem, Telemetry } from '@vigil/protocol'

export interface HubEventMap {
  telemetry: { deviceId: string; telemetry: Telemetry }
  feed: FeedItem
  /** A session ended (sign-out) or a user was removed: live connections made with it are closed. */
  'session-ended': { userId: string }
}

type Listener<K extends keyof HubEventMap> = (payload: HubEventMap[K]) => void

export class HubEvents {
  private readonly listeners: { [K in keyof HubEventMap]: Set<Listener<K>> } = {
    telemetry: new Set(),
    feed: new Set(),
    'session-ended': new Set(),
  }

  on<K extends keyof HubEventMap>(event: K, listener: Listener<K>): () => void {
    const set = this.listeners[event] as Set<Listener<K>>
    set.add(listener)
    return () => set.delete(listener)
  }

  emit<K extends keyof HubEventMap>(event: K, payload: HubEventMap[K]): void {
    for (const l of this.listeners[event] as Set<Listener<K>>) l(payload)
  }
}
