/**
 * The arguments a dashboard may send over socket.io (`ClientToServerEvents` in `events.ts`), as schemas:
 * the hub checks every client event against these with a compiled validator before any work. An event
 * not listed here is dropped.
 */
import { type Static, Type } from '../schema.js'

/** `device:subscribe` / `device:unsubscribe`: the one argument (before the optional ack) is a device id. */
export const DeviceSubscribeArg = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', $id: 'DeviceSubscribeArg' })
export type DeviceSubscribeArg = Static<typeof DeviceSubscribeArg>

/** Every client → hub event and the schema of its argument. */
export const ClientEventArgs = {
  'device:subscribe': DeviceSubscribeArg,
  'device:unsubscribe': DeviceSubscribeArg,
} as const
export type ClientEventName = keyof typeof ClientEventArgs

/** The codes an ack may carry when the hub refuses a client event. */
export const REALTIME_ERROR_CODES = ['VIGIL_BAD_REQUEST', 'VIGIL_NOT_FOUND', 'VIGIL_INTERNAL'] as const
