/**
 * Request validators compiled on a route's first request, not all at start.
 *
 * Every route declares its params, query and body (issue 19), and fastify compiles each with TypeBox
 * when the route is added: about 80 generated functions and their source, held by an idle hub and
 * compiled during start-up for requests most hubs never see. Same compiler, same checks: the
 * validator still runs before the handler on every request, the first one only also compiles it.
 * `test/http/lazy-validator.test.ts` compiles every route's schemas, so a schema TypeBox refuses is
 * still caught by the tests, not by the first caller.
 */
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import type { FastifySchemaCompiler } from 'fastify'
import type { TSchema } from 'typebox'

/** A validator compiler for `setValidatorCompiler` that defers the TypeBox type provider's one. */
export const lazyValidatorCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  let validate: ReturnType<typeof TypeBoxValidatorCompiler> | undefined
  return (value) => {
    validate ??= TypeBoxValidatorCompiler(route)
    return validate(value)
  }
}
