/** The live event feed: newest first, bounded so a wall screen running for weeks stays small. */
import type { FeedItem } from '@vigil/protocol'
import { type ShallowRef, shallowRef } from 'vue'

export interface FeedStore {
  readonly items: ShallowRef<readonly FeedItem[]>
  push(item: FeedItem): void
  clear(): void
}

export function createFeedStore(limit: number): FeedStore {
  const items = shallowRef<readonly FeedItem[]>([])
  return {
    items,
    push(item) {
      if (items.value.some((i) => i.id === item.id)) return
      items.value = [item, ...items.value].slice(0, limit)
    },
    clear() {
      items.value = []
    },
  }
}
