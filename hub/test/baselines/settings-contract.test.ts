/**
 * The Settings page validates every answer against protocol schemas: the hub's real answers for
 * baselines, vendor aliases and vendors must match them (a mismatch would blank the page).
 */
import { generateKeyPairSync } from 'node:crypto'
import {
  BaselineState,
  compile,
  PROTOCOL_VERSION,
  VendorAliasTable,
  VendorCreated,
  VendorInfo,
  VendorKeyAdded,
  VendorList,
} from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { testHub } from '../helpers.ts'
import { api } from '../risk/register/fixtures.ts'

const valid = (schema: Parameters<typeof compile>[0], value: unknown) => compile(schema).errors(value)

describe('Settings API answers match the protocol schemas', () => {
  it('baselines, vendor aliases, vendors and keys', async () => {
    const hub = await testHub()
    const a = await api(hub)
    const put = await a.put('/api/v1/baselines', {
      v: PROTOCOL_VERSION,
      id: 'b',
      version: 1,
      name: 'B',
      checks: [{ id: 'c', kind: 'empty-passwords', title: 'no empty passwords', severity: 'high' }],
    })
    expect(valid(BaselineState, put.body)).toEqual([])
    expect(valid(BaselineState, (await a.get('/api/v1/baselines')).body)).toEqual([])
    const aliases = await a.put('/api/v1/vendor-aliases', {
      aliases: [{ alias: 'Acme Med', vendor: 'Acme' }],
    })
    expect(valid(VendorAliasTable, aliases.body)).toEqual([])

    const created = await a.post<{ id: string }>('/api/v1/vendors', { name: 'Globex', threshold: 1 })
    expect(created.status).toBe(201)
    expect(valid(VendorCreated, created.body)).toEqual([])
    const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString()
    const key = await a.post<{ keyid: string }>(`/api/v1/vendors/${created.body.id}/keys`, {
      publicKeyPem: pem,
    })
    expect(key.status).toBe(201)
    expect(valid(VendorKeyAdded, key.body)).toEqual([])
    const revoked = await a.post(`/api/v1/vendors/${created.body.id}/keys/${key.body.keyid}/revoke`, {})
    expect(valid(VendorInfo, revoked.body)).toEqual([])
    const list = await a.get('/api/v1/vendors')
    expect(valid(VendorList, list.body)).toEqual([])
    expect(JSON.stringify(list.body)).toContain('"revoked":true')
  })
})
