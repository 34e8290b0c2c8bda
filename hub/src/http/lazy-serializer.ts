/**
 * Response serialisers compiled on a route's first answer with that status, not all at start.
 *
 * Every route declares its responses (issue 19), about 140 schemas, and fastify compiles each with
 * fast-json-stringify when the route is added: the generated code, its closures and the schema objects
 * were most of the ~20 MB that an idle hub held more than before the regrouping, and seconds of start-up
 * CPU, for answers most hubs never give (error statuses, admin-only routes). Same compiler, same output:
 * only the moment it runs moves, to the first answer that needs it (a few ms once).
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifySerializerCompiler } from 'fastify'

/** A serializer compiler for `setSerializerCompiler` that defers fastify's default one. */
export function lazySerializerCompiler(): FastifySerializerCompiler<unknown> {
  const build = SerializerSelector()()
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined
    return (data: unknown) => {
      serialize ??= build({ ...route, httpStatus: String(route.httpStatus) })
      return serialize(data)
    }
  }
}
