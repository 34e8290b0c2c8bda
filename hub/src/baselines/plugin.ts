/**
 * Fleet hardening baseline:
 *   GET /api/v1/baselines   BaselineState (current baseline or null, history newest first)
 *   PUT /api/v1/baselines   HardeningBaseline → 200 BaselineState; 400 naming the field; 409 when the
 *                           version is not greater than the current one of the same id
 * Reads: admin, operator, technician. Writes: admin, operator. The baseline in force is published
 * retained (QoS 1) on `topics.baseline()` through the hub's bus once the hub is ready and on each change,
 * so an agent that connects later still receives it.
 */
import {
  API_PREFIX,
  ApiError,
  BaselineState,
  BaselineUpload,
  compile,
  HardeningBaseline,
  isSafeName,
  topics,
} from '@vigil/protocol'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { HubError } from '../errors.js'
import { auditedRefusal } from '../http/audited-refusal.js'
import { BaselineDb } from './db.js'

const validator = compile(HardeningBaseline)

/** Validates a baseline as the agent will: schema first, then every pattern must compile. */
export function checkBaseline(value: unknown): HardeningBaseline {
  const r = validator.validate(value)
  if (!r.ok) throw new HubError('VIGIL_BAD_REQUEST', `invalid baseline: ${r.message}`)
  if (!isSafeName(r.value.name))
    throw new HubError(
      'VIGIL_BAD_REQUEST',
      'invalid baseline: /name: control or bidi characters are not allowed',
    )
  r.value.checks.forEach((c, i) => {
    if (c.kind !== 'file-content') return
    for (const [field, p] of [
      ['mustMatch', c.mustMatch],
      ['mustNotMatch', c.mustNotMatch],
    ] as const) {
      if (p === undefined) continue
      try {
        new RegExp(p)
      } catch (err) {
        throw new HubError(
          'VIGIL_BAD_REQUEST',
          `invalid baseline: /checks/${i}/${field}: not a valid pattern: ${(err as Error).message}`,
        )
      }
    }
  })
  const ids = new Set<string>()
  r.value.checks.forEach((c, i) => {
    if (ids.has(c.id))
      throw new HubError('VIGIL_BAD_REQUEST', `invalid baseline: /checks/${i}/id: duplicate id ${c.id}`)
    ids.add(c.id)
  })
  return r.value
}

const feature: FastifyPluginAsync = async (app) => {
  const hub = app.hub
  const db = await BaselineDb.open(hub.store)

  const publish = async (): Promise<void> => {
    const current = db.current()
    if (!current || !hub.bus) return
    await hub.bus.publish(topics.baseline(), JSON.stringify(current), { qos: 1, retain: true })
  }
  app.addHook('onReady', async () => {
    await publish().catch((err: unknown) => app.log.error({ err }, 'publishing the fleet baseline failed'))
  })

  // Served under the one API prefix: this plugin is fp-wrapped (it ignores a prefix), so its routes
  // go into a plain nested plugin.
  await app.register(
    async (api) => {
      api.get(
        '/baselines',
        {
          onRequest: api.requireRole('admin', 'operator', 'technician'),
          schema: { response: { 200: BaselineState } },
        },
        async () => db.state(),
      )

      const refused = (req: FastifyRequest, err: HubError): HubError => {
        hub.audit({
          actor: req.user?.username ?? 'unknown',
          action: 'baseline.publish',
          ok: false,
          detail: err.message,
          ip: req.ip,
        })
        return err
      }
      api.put(
        '/baselines',
        {
          onRequest: api.requireRole('admin', 'operator'),
          // A body the schema refuses is audited with its reason, like one checkBaseline refuses.
          ...auditedRefusal((req, reason) =>
            refused(req, new HubError('VIGIL_BAD_REQUEST', `invalid baseline: ${reason}`)),
          ),
          schema: {
            body: BaselineUpload,
            response: { 200: BaselineState, 400: ApiError, 409: ApiError },
          },
        },
        async (req) => {
          const actor = req.user?.username ?? 'unknown'
          let baseline: HardeningBaseline
          try {
            baseline = checkBaseline(req.body)
          } catch (err) {
            throw refused(req, err as HubError)
          }
          const current = db.current()
          if (current && current.id === baseline.id && baseline.version <= current.version) {
            const message = `baseline ${baseline.id} is at version ${current.version}; upload a greater version than ${baseline.version}`
            hub.audit({
              actor,
              action: 'baseline.publish',
              target: baseline.id,
              ok: false,
              detail: message,
              ip: req.ip,
            })
            throw new HubError('VIGIL_CONFLICT', message)
          }
          await db.publish(baseline, actor, new Date())
          await publish()
          hub.audit({
            actor,
            action: 'baseline.publish',
            target: baseline.id,
            ok: true,
            detail: `version ${baseline.version}, ${baseline.checks.length} checks`,
            ip: req.ip,
          })
          return db.state()
        },
      )
    },
    { prefix: API_PREFIX },
  )
}

/** Needs: `hub`, `requireRole`. Offers: the fleet baseline routes and its retained publication. */
export const baselinesFeature = fp(feature, {
  name: 'vigil-baselines',
  decorators: { fastify: ['hub', 'requireRole'] },
  dependencies: ['vigil-core', 'vigil-auth'],
})
