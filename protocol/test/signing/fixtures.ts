import type { ManifestPayload } from '../../src/index.ts'
import { generateKeyPair, type KeyPair, type TrustedKey } from '../../src/signing/index.ts'

/** A fixed clock for every time-dependent check. */
export const NOW = Date.parse('2026-11-28T12:00:00.000Z')
export const now = () => NOW

export function manifest(overrides: Partial<ManifestPayload> = {}): ManifestPayload {
  return {
    vendor: 'acme-medical',
    product: 'infusion-gw',
    version: '4.2.1',
    releasedAt: '2026-11-27T09:00:00.000Z',
    expiresAt: '2027-05-27T09:00:00.000Z',
    appliesTo: { models: ['IGW-200'], versions: 'vers:generic/>=4.0.0|<4.2.1' },
    fixes: ['CVE-2024-3094'],
    artifacts: [
      {
        name: 'igw-4.2.1.bin',
        url: 'https://updates.acme.example/igw-4.2.1.bin',
        sha256: 'a'.repeat(64),
        size: 1024,
      },
    ],
    ...overrides,
  }
}

export function trusted(...pairs: KeyPair[]): TrustedKey[] {
  return pairs.map((p) => ({ keyid: p.keyid, publicKeyPem: p.publicKeyPem }))
}

export const keys = { a: generateKeyPair(), b: generateKeyPair(), c: generateKeyPair() }
