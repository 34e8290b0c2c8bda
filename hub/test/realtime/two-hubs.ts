/**
 * Two hubs' stores on one real PostgreSQL database (their cluster channel is its LISTEN/NOTIFY), each
 * with what `part` builds on it (a registry, a bridge…), for the tests of what crosses between hubs.
 * The stores are closed when the test ends (after what `part` registered itself).
 */
import { onTestFinished } from 'vitest'
import { PgStore, type PgStoreOptions } from '../../src/store/postgres/pg-store.ts'

export async function twoHubs<T>(
  url: string,
  options: Omit<PgStoreOptions, 'url'>,
  part: (store: PgStore) => T | Promise<T>,
): Promise<[T, T]> {
  const hub = async () => {
    const store = await PgStore.open({ url, ...options })
    onTestFinished(() => store.close())
    return part(store)
  }
  return Promise.all([hub(), hub()])
}
