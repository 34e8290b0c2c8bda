/**
 * The request bodies that were declared loosely so that their refusals could be audited (PUT
 * /baselines, a vendor's key rotation, a manifest upload, a rollout cancel) declare their real schemas:
 * the OpenAPI document shows them, and a body the schema refuses still gets its coded 400 and, where
 * the route audits refusals, its audit entry (`http/audited-refusal.ts`).
 */
import { describe, expect, it } from 'vitest'
import { adminToken, testHub } from '../helpers.ts'
import { api, createVendor } from '../manifests/fixtures.ts'

type Operation = { requestBody?: { content: Record<string, { schema: { properties?: object } }> } }

describe('audited refusals of declared request bodies', () => {
  it('answers a body its schema refuses with the coded 400 and audits it; openapi shows the schemas', async () => {
    const hub = await testHub()
    const admin = await adminToken(hub)
    const vendor = await createVendor(hub)
    const failures = (action: string) =>
      hub.app.hub.store.audit.read({ filter: (e) => e.action === action && !e.ok })

    const baseline = await hub.app.inject({
      method: 'PUT',
      url: '/api/v1/baselines',
      headers: { authorization: `Bearer ${admin}` },
      payload: { v: 1, id: 'ward', version: 'two', name: 'Ward', checks: [] },
    })
    expect(baseline.statusCode).toBe(400)
    expect(baseline.json().error).toMatchObject({ code: 'VIGIL_BAD_REQUEST' })
    expect(baseline.json().error.message).toMatch(/^invalid baseline: .*version/)
    expect(await failures('baseline.publish')).toEqual([
      expect.objectContaining({ actor: 'admin', ok: false, detail: baseline.json().error.message }),
    ])

    const rotation = await api(hub, 'POST', `/api/v1/vendors/${vendor.id}/rotations`, vendor.token, {
      payloadType: 'application/vnd.vigil.key-rotation+json',
      signatures: [],
    })
    expect(rotation.status).toBe(400)
    expect(rotation.body.error?.code).toBe('MALFORMED_ENVELOPE')
    expect(await failures('vendor.rotate')).toEqual([
      expect.objectContaining({ target: vendor.id, detail: expect.stringMatching(/^MALFORMED_ENVELOPE: /) }),
    ])
    // Another vendor's rotation stays unseen (404) and is not audited as a refusal of that vendor.
    const other = await api(hub, 'POST', '/api/v1/vendors', admin, { name: 'Globex' })
    const hidden = await api(hub, 'POST', `/api/v1/vendors/${other.body.id}/rotations`, vendor.token, {})
    expect(hidden.status).toBe(404)
    expect(await failures('vendor.rotate')).toHaveLength(1)

    const doc = (await hub.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, Operation>>
    }>()
    const bodyOf = (path: string, method: string) =>
      Object.keys(
        doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema.properties ?? {},
      )
    expect(bodyOf('/api/v1/baselines', 'put')).toEqual(['v', 'id', 'version', 'name', 'checks'])
    const envelope = ['payloadType', 'payload', 'signatures']
    expect(bodyOf('/api/v1/vendors/{id}/rotations', 'post')).toEqual(envelope)
    expect(bodyOf('/api/v1/manifests', 'post')).toEqual(envelope)
    expect(bodyOf('/api/v1/manifests/{id}/rollout/cancel', 'post')).toEqual(['reason'])
    await hub.close()
  })
})
