/**
 * The external-broker bus of a hub in a cluster (external broker + PostgreSQL): device messages come in
 * through the slots this hub holds (`slots.ts`); commands and fleet messages go out through one session
 * of its own (`<clientId>`, clean, not subscribed, so no device message is ever queued to it).
 */
import type pg from 'pg'
import type { DeviceBus } from './bus.js'
import { type ExternalBrokerOptions, openHubSession, publishingBus } from './external.js'
import { SlotKeeper, slotClientId, slotNamespace } from './slots.js'

export interface SlottedBrokerOptions extends ExternalBrokerOptions {
  slots: number
  slotIntervalMs: number
  /** Client id prefix of the slots, the same on every hub of the cluster. */
  slotPrefix: string
  db: pg.ClientConfig
  log?: ConstructorParameters<typeof SlotKeeper>[0]['log']
}

export interface SlottedBus extends DeviceBus {
  readonly keeper: SlotKeeper
}

export async function connectSlottedBroker(opts: SlottedBrokerOptions): Promise<SlottedBus> {
  const auth = {
    ...(opts.username ? { username: opts.username } : {}),
    ...(opts.password ? { password: opts.password } : {}),
  }
  // clean: a session this id had before slots (subscribed to the group) is discarded, not resumed.
  const publisher = await openHubSession({
    url: opts.url,
    ...auth,
    clientId: opts.clientId,
    clean: true,
    sessionExpirySec: 0,
  })
  const keeper = new SlotKeeper({
    db: opts.db,
    slots: opts.slots,
    namespace: slotNamespace(opts.shareGroup),
    intervalMs: opts.slotIntervalMs,
    ...(opts.log ? { log: opts.log } : {}),
    open: (k) =>
      openHubSession({
        url: opts.url,
        ...auth,
        clientId: slotClientId(opts.slotPrefix, k),
        clean: false,
        sessionExpirySec: opts.sessionExpirySec,
        shareGroup: opts.shareGroup,
        handlers: opts.handlers,
      }),
  })
  try {
    await keeper.start()
  } catch (err) {
    await publisher.close(true)
    throw err
  }
  const bus = publishingBus(publisher, opts.onPublishError, async () => {
    await keeper.stop()
    await publisher.close()
  })
  return { ...bus, keeper }
}
