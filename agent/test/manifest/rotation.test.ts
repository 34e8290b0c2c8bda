/**
 * The agent changes the vendor keys it trusts only on a rotation statement signed by the keys it
 * already trusts: the hub alone cannot make it trust a new key.
 */
import type { CommandRequest } from '@vigil/protocol'
import { signKeyRotation } from '@vigil/protocol/signing'
import { describe, expect, it } from 'vitest'
import { artifactFile, keys, payload, request, setup, sign } from './fixtures.ts'

type Rotation = Extract<CommandRequest, { cmd: 'apply-key-rotation' }>

function rotation(signers: (typeof keys.a)[], sequence = 1, to = [keys.b]): Rotation {
  const envelope = signKeyRotation(
    {
      vendor: 'Acme Medical',
      keys: to.map((k) => ({ keyid: k.keyid, publicKeyPem: k.publicKeyPem })),
      threshold: 1,
      issuedAt: new Date(Date.now() - 1000).toISOString(),
      sequence,
    },
    signers.map((k) => k.privateKeyPem),
  )
  return { v: 1, tx: 'rot', cmd: 'apply-key-rotation', envelope } as Rotation
}

describe('agent key rotation', () => {
  it('accepts a rotation signed by the current key; the old key is then refused (REVOKED_KEY)', async () => {
    const ctx = await setup()
    const art = await artifactFile(ctx.dir)
    await expect(ctx.manager.rotate(rotation([keys.a]))).resolves.toMatchObject({
      applied: true,
      sequence: 1,
    })
    await expect(ctx.manager.install(request(sign(payload(art), [keys.a])))).rejects.toMatchObject({
      code: 'REVOKED_KEY',
    })
    await expect(ctx.manager.install(request(sign(payload(art), [keys.b])))).resolves.toMatchObject({
      state: 'verified',
    })
    await ctx.manager.idle()
    // Remembered across a restart, whatever the provisioning config still says.
    const again = ctx.make()
    await again.start()
    expect(again.summary().trusted).toEqual([{ vendor: 'Acme Medical', keys: 1, threshold: 1, sequence: 1 }])
    expect(again.trust()[0]?.keys.find((k) => k.keyid === keys.a.keyid)?.revoked).toBe(true)
  })

  it('refuses a rotation signed only by the new key (a hub cannot add keys on its own)', async () => {
    const ctx = await setup()
    await expect(ctx.manager.rotate(rotation([keys.b]))).rejects.toMatchObject({ code: 'UNKNOWN_KEY' })
    expect(ctx.manager.trust()[0]?.keys.map((k) => k.keyid)).toEqual([keys.a.keyid])
  })

  it('ignores a replayed (stale) rotation without changing anything', async () => {
    const ctx = await setup()
    const first = rotation([keys.a], 1, [keys.a, keys.b])
    await ctx.manager.rotate(first)
    await expect(ctx.manager.rotate(first)).resolves.toMatchObject({ applied: false, sequence: 1 })
  })
})
