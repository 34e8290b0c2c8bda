/**
 * A declared response schema also strips whatever it does not declare (fastify serialises from it). In
 * tests (`VIGIL_CHECK_RESPONSES=1`, set by the shared vitest config) every JSON answer is compared
 * with what its schema keeps, and an answer that would lose a property fails with a 500 naming it, so
 * a schema that forgets a field the dashboard, agent or CLI reads is caught by any test reaching it.
 * Off in production: it costs a clone per answer.
 */
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'
import { HubError } from '../errors.js'

/** Paths present in `value` but not in `kept` (the first few), e.g. `findings[0].patch`. */
export function lostPaths(value: unknown, kept: unknown, at = '', out: string[] = []): string[] {
  if (out.length >= 5) return out
  if (Array.isArray(value)) {
    const k = Array.isArray(kept) ? kept : []
    for (const [i, v] of value.entries()) lostPaths(v, k[i], `${at}[${i}]`, out)
  } else if (value !== null && typeof value === 'object') {
    const k = kept !== null && typeof kept === 'object' ? (kept as Record<string, unknown>) : {}
    for (const [key, v] of Object.entries(value)) {
      if (!(key in k)) out.push(at ? `${at}.${key}` : key)
      else lostPaths(v, k[key], at ? `${at}.${key}` : key, out)
    }
  }
  return out
}

/** What the declared schema of `status` would strip from `payload` (empty when nothing, or no schema). */
export function strippedBy(schema: TSchema | undefined, payload: unknown): string[] {
  if (schema === undefined || payload === null || typeof payload !== 'object') return []
  const json = JSON.parse(JSON.stringify(payload)) as unknown
  return lostPaths(json, Value.Clean(schema, structuredClone(json)))
}

/** The schema of one declared response: itself, or the one for this content type (`{content: {type: {schema}}}`). */
export function schemaOf(declared: unknown, contentType: string): TSchema | undefined {
  if (declared === null || typeof declared !== 'object') return undefined
  const content = (declared as { content?: Record<string, { schema?: TSchema }> }).content
  if (content === undefined) return declared as TSchema
  const type = Object.keys(content).find((t) => contentType.startsWith(t)) ?? 'application/json'
  return content[type]?.schema
}

const plugin: FastifyPluginAsync = async (app) => {
  app.addHook('preSerialization', async (req, reply, payload) => {
    const responses = req.routeOptions.schema?.response as Record<string, unknown> | undefined
    if (!responses) return payload
    const code = String(reply.statusCode)
    const declared = responses[code] ?? responses[`${code[0]}xx`] ?? responses.default
    const schema = schemaOf(declared, String(reply.getHeader('content-type') ?? 'application/json'))
    const lost = strippedBy(schema, payload)
    if (lost.length > 0) {
      throw new HubError(
        'VIGIL_INTERNAL',
        `${req.method} ${req.routeOptions.url} ${code}: the response schema strips ${lost.join(', ')}`,
      )
    }
    return payload
  })
}

export const responseCheck = fp(plugin, { name: 'vigil-response-check' })
