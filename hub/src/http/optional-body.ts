/**
 * A route whose JSON body may be left out (e.g. `POST …/rollout/cancel`, whose reason is optional): no
 * body is read as `{}`, which the route's body schema then accepts, and the OpenAPI document says the
 * body is not required (fastify-swagger marks every declared body required). Protocol's route map says
 * the same with `bodyOptional: true`; hub/test/http/api-route-map.test.ts compares the two.
 */
import type { SwaggerTransformObject } from '@fastify/swagger'
import type { FastifyRequest } from 'fastify'

/** The schema key (an OpenAPI extension) that marks the route; the document drops it again. */
export const OPTIONAL_BODY = 'x-vigil-optional-body'

/** `preValidation` hook of such a route. */
export async function emptyBodyIfNone(req: FastifyRequest): Promise<void> {
  req.body ??= {}
}

interface Operation {
  [OPTIONAL_BODY]?: boolean
  requestBody?: { required?: boolean }
}

/** `transformObject` of fastify-swagger: the marked operations' request bodies become optional. */
export const markOptionalBodies: SwaggerTransformObject = (document) => {
  const doc = 'openapiObject' in document ? document.openapiObject : document.swaggerObject
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>
  for (const ops of Object.values(paths)) {
    for (const op of Object.values(ops)) {
      if (!op || typeof op !== 'object' || !(OPTIONAL_BODY in op)) continue
      if (op[OPTIONAL_BODY] && op.requestBody) op.requestBody.required = false
      delete op[OPTIONAL_BODY]
    }
  }
  return doc
}
