/** Shapes of the webhook API (`/api/v1/webhooks`, admin only). Secrets are shown once, at creation. */
import { type Static, Type } from '../schema.js'

export const WebhookView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.String(),
})
export type WebhookView = Static<typeof WebhookView>

export const WebhookList = Type.Object({ webhooks: Type.Array(WebhookView) })
export type WebhookList = Static<typeof WebhookList>

/** The answer to `POST /api/v1/webhooks`: the only time the signing secret is shown. */
export const WebhookCreated = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  secret: Type.String(),
})
export type WebhookCreated = Static<typeof WebhookCreated>

/** A delivery waiting for its next attempt or given up (without its body). */
export const WebhookDelivery = Type.Object({
  id: Type.String(),
  endpointId: Type.String(),
  event: Type.String(),
  attempts: Type.Integer(),
  nextAt: Type.Number({ description: 'when the next attempt is due (ms since the epoch)' }),
  createdAt: Type.String({ format: 'date-time' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('failed')]),
  lastError: Type.Optional(Type.String()),
})
export type WebhookDelivery = Static<typeof WebhookDelivery>

export const WebhookDeliveryList = Type.Object({ deliveries: Type.Array(WebhookDelivery) })
export type WebhookDeliveryList = Static<typeof WebhookDeliveryList>

export const WebhookQueued = Type.Object({ queued: Type.Literal(true) })
export type WebhookQueued = Static<typeof WebhookQueued>
