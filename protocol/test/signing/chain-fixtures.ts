/** Roots, delegations and vendor keys for the trust-chain tests, all on the fixed clock of fixtures.ts. */
import type { DelegationPayload, RootPayload } from '../../src/index.ts'
import { generateKeyPair, type KeyPair, trustKeyOf } from '../../src/signing/index.ts'

export const ISSUED = '2026-11-28T10:00:00.000Z'
export const EXPIRES = '2027-11-28T10:00:00.000Z'

export const root = { r1: generateKeyPair(), r2: generateKeyPair(), r3: generateKeyPair() }
export const next = { n1: generateKeyPair(), n2: generateKeyPair(), n3: generateKeyPair() }
export const vendorKeys = { v1: generateKeyPair(), v2: generateKeyPair() }

export const key = (p: KeyPair) => trustKeyOf(p.publicKeyPem)

export function rootPayload(
  pairs: KeyPair[],
  threshold: number,
  overrides: Partial<RootPayload> = {},
): RootPayload {
  return {
    type: 'vigil-root',
    version: 1,
    keys: pairs.map(key),
    threshold,
    issuedAt: ISSUED,
    expires: EXPIRES,
    ...overrides,
  }
}

export function delegationPayload(overrides: Partial<DelegationPayload> = {}): DelegationPayload {
  return {
    type: 'vigil-delegation',
    vendor: 'acme-medical',
    vendorId: 'acme-medical',
    version: 1,
    keys: [key(vendorKeys.v1)],
    threshold: 1,
    revoked: [],
    issuedAt: ISSUED,
    expires: EXPIRES,
    ...overrides,
  }
}
