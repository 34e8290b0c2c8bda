/**
 * aedes' in-memory persistence, minus the retained copies of device messages.
 *
 * Devices publish their birth and last will retained (so an external broker keeps them for a hub that
 * restarts). In the embedded broker that copy is useless — the hub consumes every device message
 * in-process and keeps the state itself, and the broker's memory dies with the hub anyway — and it is
 * costly: aedes matches every SUBSCRIBE filter against every retained message, so with 10,000 devices
 * each holding a retained birth, a reconnect storm spends most of its time there (57 % of the hub's
 * busy time in the connection bench). Only hub-published fleet topics (baseline) stay retained; no
 * device may subscribe to another device's topics, so no subscriber ever misses the dropped copies.
 */

import { createRequire } from 'node:module'
import { parseTopic } from '@vigil/protocol'
import type { AedesMemoryPersistence, CallbackError } from 'aedes-persistence'

// A CommonJS module whose type declarations claim an ES default export: load it as what it is.
const aedesMemoryPersistence = createRequire(import.meta.url)(
  'aedes-persistence',
) as () => AedesMemoryPersistence

type AedesPacket = Parameters<AedesMemoryPersistence['storeRetained']>[0]

export function hubPersistence(): AedesMemoryPersistence {
  const persistence = aedesMemoryPersistence()
  const storeRetained = persistence.storeRetained.bind(persistence) as (
    packet: AedesPacket,
    cb?: (error: CallbackError) => void,
  ) => Promise<void> | undefined
  const replacement = (packet: AedesPacket, cb?: (error: CallbackError) => void) => {
    if (parseTopic((packet as { topic?: string }).topic ?? '')?.type !== 'device')
      return storeRetained(packet, cb)
    if (cb) return void cb(null)
    return Promise.resolve()
  }
  persistence.storeRetained = replacement as AedesMemoryPersistence['storeRetained']
  return persistence
}
