/**
 * The operator root on the agent: the first root only from the enrollment answer (or a pinned
 * fingerprint), delegations only when signed by the root threshold and newer than the one held —
 * even when the hub itself sends them — and a delegated vendor's manifest installs; revocation stops
 * the revoked key. The state survives a restart.
 */
import { writeFile } from 'node:fs/promises'
import type { CommandRequest, DelegationPayload, DsseEnvelope, RootPayload } from '@vigil/protocol'
import { generateKeyPair, type KeyPair, signDelegation, signRoot, trustKeyOf } from '@vigil/protocol/signing'
import { describe, expect, it } from 'vitest'
import { trustBundlePath } from '../../src/state-files/paths.ts'
import { artifactFile, DAY, payload, request, setup, sign } from './fixtures.ts'

type TrustReq = Extract<CommandRequest, { cmd: 'apply-trust' }>
const rootKeys = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
const vendorKey = generateKeyPair()
const otherKey = generateKeyPair()
const pems = (ks: KeyPair[]) => ks.map((k) => k.privateKeyPem)
const iso = (ms: number) => new Date(Date.now() + ms).toISOString()

const ISSUED = iso(-DAY)
const EXPIRES = iso(365 * DAY)

function root(version = 1, keys = rootKeys, signers = rootKeys.slice(0, 2), expires = EXPIRES): DsseEnvelope {
  const p: RootPayload = {
    type: 'vigil-root',
    version,
    keys: keys.map((k) => trustKeyOf(k.publicKeyPem)),
    threshold: 2,
    issuedAt: ISSUED,
    expires,
  }
  return signRoot(p, pems(signers))
}

function delegation(over: Partial<DelegationPayload> = {}, signers = rootKeys.slice(0, 2)): DsseEnvelope {
  const p: DelegationPayload = {
    type: 'vigil-delegation',
    vendor: 'Acme Medical',
    version: 1,
    keys: [trustKeyOf(vendorKey.publicKeyPem)],
    threshold: 1,
    revoked: [],
    issuedAt: iso(-DAY),
    expires: iso(365 * DAY),
    ...over,
  }
  return signDelegation(p, pems(signers))
}

const req = (roots: DsseEnvelope[], delegations: DsseEnvelope[]): TrustReq =>
  ({ v: 1, tx: 't', cmd: 'apply-trust', roots, delegations }) as TrustReq

/** A manager enrolled with the root (the enrollment answer's bundle) and no configured vendor keys. */
async function enrolled() {
  const ctx = await setup({ trust: [] })
  await writeFile(trustBundlePath(ctx.dir), JSON.stringify({ roots: [root()], delegations: [] }))
  const manager = ctx.make()
  await manager.start()
  return { ...ctx, manager }
}

describe('operator root and delegations on the agent', () => {
  it('takes the enrollment root, then a delegated vendor’s manifest verifies and installs', async () => {
    const ctx = await enrolled()
    const art = await artifactFile(ctx.dir)
    await expect(ctx.manager.install(request(sign(payload(art), [vendorKey])))).rejects.toMatchObject({
      code: 'UNKNOWN_KEY',
      message: expect.stringContaining('vigil-hub trust delegate'),
    })
    const r = await ctx.manager.applyTrust(req([root()], [delegation()]))
    expect(r).toMatchObject({ root: { version: 1 }, delegations: { 'Acme Medical': 1 }, refused: [] })
    await expect(ctx.manager.install(request(sign(payload(art), [vendorKey])))).resolves.toMatchObject({
      state: 'verified',
    })
    await ctx.manager.idle()
    expect(ctx.manager.trustHeld()).toMatchObject({
      root: { version: 1 },
      delegations: { 'Acme Medical': 1 },
    })
  })
  it('refuses, with codes, a delegation signed by one root key, an altered one and a replay', async () => {
    const ctx = await enrolled()
    const one = await ctx.manager.applyTrust(req([], [delegation({}, rootKeys.slice(0, 1))]))
    expect(one.refused.map((x) => x.code)).toEqual(['DELEGATION_THRESHOLD'])
    const good = delegation({ version: 2 })
    const swapped = {
      ...good,
      payload: Buffer.from(
        JSON.stringify({
          ...JSON.parse(Buffer.from(good.payload, 'base64').toString()),
          keys: [trustKeyOf(otherKey.publicKeyPem)],
        }),
      ).toString('base64'),
    }
    expect((await ctx.manager.applyTrust(req([], [swapped]))).refused.map((x) => x.code)).toEqual([
      'DELEGATION_ALTERED',
    ])
    expect((await ctx.manager.applyTrust(req([], [good]))).refused).toEqual([])
    const replay = await ctx.manager.applyTrust(req([], [delegation({ version: 1 })]))
    expect(replay.refused.map((x) => x.code)).toEqual(['DELEGATION_REPLAY'])
    expect(ctx.manager.summary().trustRefused.map((x) => x.code)).toEqual([
      'DELEGATION_REPLAY',
      'DELEGATION_ALTERED',
      'DELEGATION_THRESHOLD',
    ])
    // Restart: the delegation v2 is still held.
    const again = ctx.make()
    await again.start()
    expect(again.trustHeld().delegations).toEqual({ 'Acme Medical': 2 })
  })
  it('never takes a first root over MQTT without a pin; follows a rotation; refuses an expired root', async () => {
    const fresh = await setup({ trust: [] })
    const first = await fresh.manager.applyTrust(req([root()], [delegation()]))
    expect(first.refused.map((x) => x.code)).toEqual(['ROOT_MISSING', 'ROOT_MISSING'])
    const ctx = await enrolled()
    const next = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const v2 = root(2, next, [rootKeys[0] as KeyPair, rootKeys[1] as KeyPair, ...next.slice(0, 2)])
    const expired = root(2, next, [...rootKeys.slice(0, 2), ...next.slice(0, 2)], iso(-1000))
    const e = await ctx.manager.applyTrust(req([root(), expired], []))
    expect(e.refused.map((x) => x.code)).toEqual(['ROOT_EXPIRED'])
    expect(e.root?.version).toBe(1)
    const onlyNew = await ctx.manager.applyTrust(req([root(), root(2, next, next)], []))
    expect(onlyNew.refused.map((x) => x.code)).toEqual(['ROOT_SIGNATURE_THRESHOLD'])
    const followed = await ctx.manager.applyTrust(req([root(), v2], [delegation({}, next.slice(1))]))
    expect(followed).toMatchObject({ root: { version: 2 }, delegations: { 'Acme Medical': 1 }, refused: [] })
    // The old root keys no longer sign delegations.
    const old = await ctx.manager.applyTrust(req([], [delegation({ version: 2 }, rootKeys.slice(0, 2))]))
    expect(old.refused.map((x) => x.code)).toEqual(['DELEGATION_UNSIGNED'])
  })
  it('stops a revoked key', async () => {
    const ctx = await enrolled()
    const art = await artifactFile(ctx.dir)
    await ctx.manager.applyTrust(req([], [delegation()]))
    const revoke = delegation({
      version: 2,
      keys: [trustKeyOf(otherKey.publicKeyPem)],
      revoked: [vendorKey.keyid],
    })
    expect((await ctx.manager.applyTrust(req([], [revoke]))).refused).toEqual([])
    await expect(ctx.manager.install(request(sign(payload(art), [vendorKey])))).rejects.toMatchObject({
      code: 'REVOKED_KEY',
    })
    await expect(ctx.manager.install(request(sign(payload(art), [otherKey])))).resolves.toMatchObject({
      state: 'verified',
    })
    await ctx.manager.idle()
  })
})
