/**
 * Route options for a request whose refusal is audited. The route declares its real schemas (they
 * validate the request and document it in the OpenAPI document), but a request they refuse is not
 * answered by the error handler straight away: fastify attaches the validation error
 * (`attachValidation`), and this preHandler hands its message to `refuse`, which writes the audit
 * entry and returns the coded error the route answers with (usually `VIGIL_BAD_REQUEST`, 400).
 * Authentication (`onRequest`) runs before, so an unauthenticated request is not audited as a refusal.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { HubError } from '../errors.js'

export type Refuse = (req: FastifyRequest, reason: string) => HubError

export function auditedRefusal(refuse: Refuse) {
  return {
    attachValidation: true as const,
    preHandler: async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
      const err = req.validationError
      if (err) throw refuse(req, err.message)
    },
  }
}
