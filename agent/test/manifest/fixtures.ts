/** Vendor keys, manifests with real artifacts on disk, and a manager that records its reports. */
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type {
  CommandRequest,
  DsseEnvelope,
  ManifestPayload,
  RolloutStatus,
  VendorTrust,
} from '@vigil/protocol'
import { generateKeyPair, type KeyPair, manifestId, signManifest } from '@vigil/protocol/signing'
import { createLogger } from '../../src/logger.ts'
import { createManifestManager } from '../../src/manifest/manager.ts'
import { tempDir } from '../helpers/setup.ts'

export const DAY = 86_400_000
export const keys = { a: generateKeyPair(), b: generateKeyPair(), c: generateKeyPair() }

export function trustOf(list: KeyPair[], threshold = 1, revoked: KeyPair[] = []): VendorTrust {
  return {
    vendor: 'Acme Medical',
    keys: [
      ...list.map((k) => ({ keyid: k.keyid, publicKeyPem: k.publicKeyPem })),
      ...revoked.map((k) => ({ keyid: k.keyid, publicKeyPem: k.publicKeyPem, revoked: true })),
    ],
    threshold,
    sequence: 0,
  }
}

export async function artifactFile(dir: string, name = 'igw.bin', content = 'firmware image 4.2.1\n') {
  const path = join(dir, `src-${name}`)
  await writeFile(path, content)
  return {
    name,
    url: pathToFileURL(path).href,
    sha256: createHash('sha256').update(content).digest('hex'),
    size: Buffer.byteLength(content),
  }
}

export function payload(
  artifact: ManifestPayload['artifacts'][number],
  overrides: Partial<ManifestPayload> = {},
): ManifestPayload {
  const now = Date.now()
  return {
    vendor: 'Acme Medical',
    product: 'infusion-gw',
    version: '4.2.1',
    releasedAt: new Date(now - DAY).toISOString(),
    expiresAt: new Date(now + 30 * DAY).toISOString(),
    appliesTo: { models: ['IGW-200'], versions: 'vers:generic/<4.2.1' },
    fixes: ['CVE-2024-3094'],
    artifacts: [artifact],
    ...overrides,
  }
}

export function request(
  envelope: DsseEnvelope,
  id?: string,
): Extract<CommandRequest, { cmd: 'install-manifest' }> {
  let mid = id
  if (mid === undefined) {
    const p = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as ManifestPayload
    mid = manifestId(p)
  }
  return { v: 1, tx: 'tx1', cmd: 'install-manifest', manifestId: mid, envelope } as Extract<
    CommandRequest,
    { cmd: 'install-manifest' }
  >
}

export function sign(p: ManifestPayload, list: KeyPair[] = [keys.a]): DsseEnvelope {
  return signManifest(
    p,
    list.map((k) => k.privateKeyPem),
  )
}

export async function setup(opts: { trust?: VendorTrust[]; installHook?: string; dir?: string } = {}) {
  const dir = opts.dir ?? (await tempDir('vigil-manifest-'))
  const reports: RolloutStatus[] = []
  const installed: string[] = []
  const make = () =>
    createManifestManager({
      stateDir: dir,
      config: {
        trust: opts.trust ?? [trustOf([keys.a])],
        hookTimeoutSec: 30,
        downloadTimeoutSec: 30,
        ...(opts.installHook ? { installHook: opts.installHook } : {}),
      },
      now: () => new Date(),
      report: async (s) => {
        reports.push(s)
      },
      onInstalled: async (e) => {
        installed.push(e.id)
      },
      log: createLogger('error'),
    })
  const manager = make()
  await manager.start()
  const states = (id: string) => reports.filter((r) => r.manifestId === id).map((r) => r.state)
  return { dir, manager, reports, installed, states, make }
}
