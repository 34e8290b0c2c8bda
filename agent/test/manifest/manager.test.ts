/**
 * The agent verifies every manifest itself: each bad input of issue 6 is refused with its own code,
 * reported as `rejected` on the rollout topic, and nothing is downloaded or installed.
 */
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { MANIFEST_PAYLOAD_TYPE } from '@vigil/protocol'
import { generateKeyPair, signEnvelope } from '@vigil/protocol/signing'
import { describe, expect, it, onTestFinished } from 'vitest'
import { artifactDir, statePath } from '../../src/manifest/state.ts'
import { artifactFile, DAY, keys, payload, request, setup, sign, trustOf } from './fixtures.ts'

async function refused(
  ctx: Awaited<ReturnType<typeof setup>>,
  req: ReturnType<typeof request>,
  code: string,
) {
  const existed = existsSync(artifactDir(ctx.dir, req.manifestId))
  await expect(ctx.manager.install(req)).rejects.toMatchObject({ code })
  await ctx.manager.idle()
  const last = ctx.reports.at(-1)
  expect(last).toMatchObject({ manifestId: req.manifestId, state: 'rejected', code })
  expect(last?.reason?.length).toBeGreaterThan(5)
  expect(ctx.manager.summary().refused[0]).toMatchObject({ manifestId: req.manifestId, code })
  expect(existsSync(artifactDir(ctx.dir, req.manifestId))).toBe(existed)
}

describe('agent manifest verification', () => {
  it('verifies, downloads (file://) and, with no hook, reports "awaiting install"', async () => {
    const ctx = await setup()
    const req = request(sign(payload(await artifactFile(ctx.dir))))
    await expect(ctx.manager.install(req)).resolves.toMatchObject({ state: 'verified' })
    await ctx.manager.idle()
    expect(ctx.states(req.manifestId)).toEqual(['offered', 'verified', 'downloading', 'awaiting-install'])
    expect(ctx.reports.at(-1)?.reason).toContain('verified, awaiting install')
    const path = join(artifactDir(ctx.dir, req.manifestId), 'igw.bin')
    expect(await readFile(path, 'utf8')).toBe('firmware image 4.2.1\n')
    expect(ctx.manager.summary().pending[0]).toMatchObject({ version: '4.2.1', state: 'awaiting-install' })
    expect(ctx.manager.summary().pending[0]?.verification).toMatch(/^ok: 1 signature/)
  })

  it('runs the install hook with the manifest in its environment; installed, then onInstalled', async () => {
    const ctx = await setup({
      installHook: 'echo "$VIGIL_PRODUCT $VIGIL_VERSION $(basename "$1")" > ../installed.txt',
    })
    const req = request(sign(payload(await artifactFile(ctx.dir))))
    await ctx.manager.install(req)
    await ctx.manager.idle()
    expect(ctx.states(req.manifestId)).toEqual(['offered', 'verified', 'downloading', 'installed'])
    expect(await readFile(join(artifactDir(ctx.dir, req.manifestId), '..', 'installed.txt'), 'utf8')).toBe(
      'infusion-gw 4.2.1 igw.bin\n',
    )
    expect(ctx.installed).toEqual([req.manifestId])
    expect(ctx.manager.summary().installed).toHaveLength(1)
  })

  it('marks work cut short by a stop as failed (INTERRUPTED) and retries it at the next delivery', async () => {
    const ctx = await setup()
    const req = request(sign(payload(await artifactFile(ctx.dir))))
    await ctx.manager.install(req)
    await ctx.manager.idle()
    const file = statePath(ctx.dir)
    const saved = JSON.parse(await readFile(file, 'utf8')) as { manifests: Record<string, { state: string }> }
    const entry = saved.manifests[req.manifestId]
    if (!entry) throw new Error('no entry')
    entry.state = 'downloading'
    await writeFile(file, JSON.stringify(saved))
    const again = ctx.make()
    await again.start()
    expect(ctx.reports.at(-1)).toMatchObject({
      manifestId: req.manifestId,
      state: 'failed',
      code: 'INTERRUPTED',
    })
    await expect(again.install(req)).resolves.toMatchObject({ state: 'verified' })
    await again.idle()
    expect(ctx.reports.at(-1)?.state).toBe('awaiting-install')
  })

  it('reports a failing hook as failed (HOOK_FAILED) with its output', async () => {
    const ctx = await setup({ installHook: 'echo "flash write error" >&2; exit 3' })
    const req = request(sign(payload(await artifactFile(ctx.dir))))
    await ctx.manager.install(req)
    await ctx.manager.idle()
    expect(ctx.reports.at(-1)).toMatchObject({ state: 'failed', code: 'HOOK_FAILED' })
    expect(ctx.reports.at(-1)?.reason).toContain('flash write error')
    expect(ctx.installed).toEqual([])
  })

  it('downloads over http:// through the same checks', async () => {
    const ctx = await setup()
    const body = 'firmware over http\n'
    const server = createServer((_req, res) => res.end(body))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())))
    const file = await artifactFile(ctx.dir, 'igw.bin', body)
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/igw.bin`
    const req = request(sign(payload({ ...file, url })))
    await ctx.manager.install(req)
    await ctx.manager.idle()
    expect(ctx.reports.at(-1)?.state).toBe('awaiting-install')
  })

  it('refuses a tampered payload (BAD_SIGNATURE)', async () => {
    const ctx = await setup()
    const env = sign(payload(await artifactFile(ctx.dir)))
    const text = Buffer.from(env.payload, 'base64').toString('utf8').replace('4.2.1', '4.2.9')
    await refused(ctx, request({ ...env, payload: Buffer.from(text).toString('base64') }), 'BAD_SIGNATURE')
  })

  it('refuses a hub that altered the manifest before delivery (BAD_SIGNATURE, MANIFEST_ID)', async () => {
    const ctx = await setup()
    const env = sign(payload(await artifactFile(ctx.dir)))
    const p = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as ReturnType<typeof payload>
    const altered = { ...p, appliesTo: { ...p.appliesTo, models: ['IGW-200', 'IGW-900'] } }
    await refused(
      ctx,
      request({ ...env, payload: Buffer.from(JSON.stringify(altered)).toString('base64') }),
      'BAD_SIGNATURE',
    )
    await refused(ctx, request(env, 'f'.repeat(32)), 'MANIFEST_ID')
  })

  it('refuses a signature by an unknown key, and an unknown vendor (UNKNOWN_KEY)', async () => {
    const ctx = await setup()
    const art = await artifactFile(ctx.dir)
    await refused(ctx, request(sign(payload(art), [generateKeyPair()])), 'UNKNOWN_KEY')
    await refused(ctx, request(sign(payload(art, { vendor: 'Globex' }))), 'UNKNOWN_KEY')
  })

  it('refuses a signature by a revoked key (REVOKED_KEY)', async () => {
    const ctx = await setup({ trust: [trustOf([keys.b], 1, [keys.a])] })
    await refused(ctx, request(sign(payload(await artifactFile(ctx.dir)), [keys.a])), 'REVOKED_KEY')
  })

  it('refuses fewer signatures than the threshold, and the same key twice (THRESHOLD_NOT_MET)', async () => {
    const ctx = await setup({ trust: [trustOf([keys.a, keys.b], 2)] })
    const art = await artifactFile(ctx.dir)
    await refused(ctx, request(sign(payload(art), [keys.a])), 'THRESHOLD_NOT_MET')
    const once = sign(payload(art, { version: '4.2.2' }), [keys.a])
    const sig = once.signatures[0]
    if (!sig) throw new Error('no signature')
    await refused(ctx, request({ ...once, signatures: [sig, { ...sig }] }), 'THRESHOLD_NOT_MET')
    await ctx.manager.install(request(sign(payload(art, { version: '4.2.3' }), [keys.a, keys.b])))
    await ctx.manager.idle()
    expect(ctx.reports.at(-1)?.state).toBe('awaiting-install')
  })

  it('refuses an expired manifest and one released in the future', async () => {
    const ctx = await setup()
    const art = await artifactFile(ctx.dir)
    const now = Date.now()
    const expired = payload(art, {
      releasedAt: new Date(now - 9 * DAY).toISOString(),
      expiresAt: new Date(now - DAY).toISOString(),
    })
    await refused(ctx, request(sign(expired)), 'EXPIRED')
    await refused(
      ctx,
      request(sign(payload(art, { releasedAt: new Date(now + DAY).toISOString() }))),
      'RELEASED_IN_FUTURE',
    )
  })

  it('keeps its own rollback floor across restarts: older (ROLLBACK), replay of an older one, same version other content (MIX_AND_MATCH)', async () => {
    const ctx = await setup()
    const art = await artifactFile(ctx.dir)
    const v1 = request(sign(payload(art, { version: '4.2.1' })))
    const v2 = request(sign(payload(art, { version: '4.3.0' })))
    await ctx.manager.install(v1)
    await ctx.manager.install(v2)
    await ctx.manager.idle()
    // A restarted agent remembers.
    const again = ctx.make()
    await again.start()
    const c2 = { ...ctx, manager: again }
    await refused(c2, request(sign(payload(art, { version: '4.2.5' }))), 'ROLLBACK')
    await refused(c2, v1, 'ROLLBACK')
    await refused(c2, request(sign(payload(art, { version: '4.3.0', fixes: [] }))), 'MIX_AND_MATCH')
    // The current one delivered again is reported, not installed twice.
    await expect(again.install(v2)).resolves.toMatchObject({ repeated: true, state: 'awaiting-install' })
  })

  it('refuses a wrong payloadType, malformed base64 and a payload that is not JSON', async () => {
    const ctx = await setup()
    const art = await artifactFile(ctx.dir)
    await refused(
      ctx,
      request(signEnvelope(payload(art), 'application/json', [keys.a.privateKeyPem]), 'a'.repeat(32)),
      'WRONG_PAYLOAD_TYPE',
    )
    const env = sign(payload(art))
    await refused(
      ctx,
      request({ ...env, payload: `${env.payload.slice(0, 8)}%%${env.payload.slice(8)}` }, 'b'.repeat(32)),
      'MALFORMED_ENVELOPE',
    )
    const notJson = signEnvelope(
      new TextEncoder().encode('{"vendor":"Acme Medical",'),
      MANIFEST_PAYLOAD_TYPE,
      [keys.a.privateKeyPem],
    )
    await refused(ctx, request(notJson, 'c'.repeat(32)), 'MALFORMED_PAYLOAD')
  })

  it('refuses an oversize envelope (OVERSIZE)', async () => {
    const ctx = await setup()
    const env = sign(payload(await artifactFile(ctx.dir)))
    await refused(ctx, request({ ...env, payload: 'A'.repeat(300 * 1024) }, 'd'.repeat(32)), 'OVERSIZE')
  })

  it('refuses an artifact name with a path (SCHEMA) before downloading anything', async () => {
    const ctx = await setup()
    const art = await artifactFile(ctx.dir)
    const env = signEnvelope(payload({ ...art, name: '../../etc/cron.d/x' }), MANIFEST_PAYLOAD_TYPE, [
      keys.a.privateKeyPem,
    ])
    await refused(ctx, request(env, 'e'.repeat(32)), 'SCHEMA')
    expect(ctx.reports.at(-1)?.reason).toContain('/artifacts/0/name')
  })

  it('fails an artifact with the wrong hash or size, leaving no file behind', async () => {
    for (const [field, code] of [
      ['sha256', 'ARTIFACT_HASH'],
      ['size', 'ARTIFACT_SIZE'],
    ] as const) {
      const ctx = await setup({ installHook: 'touch ../hook-ran' })
      const art = await artifactFile(ctx.dir)
      const bad = field === 'sha256' ? { ...art, sha256: 'b'.repeat(64) } : { ...art, size: art.size - 1 }
      const req = request(sign(payload(bad)))
      await ctx.manager.install(req)
      await ctx.manager.idle()
      expect(ctx.reports.at(-1)).toMatchObject({ state: 'failed', code })
      const dir = artifactDir(ctx.dir, req.manifestId)
      expect(existsSync(join(dir, 'igw.bin'))).toBe(false)
      expect(existsSync(join(dir, '.igw.bin.part'))).toBe(false)
      expect(existsSync(join(dir, '..', 'hook-ran'))).toBe(false)
    }
  })
})
