/**
 * `vigil-vendor push` against an HTTP server speaking the hub's manifest contract
 * (POST /api/v1/manifests, bearer token, `{"error":{"code","message"}}` on refusal). The real hub's
 * endpoint is exercised by the cross-package tests; here the server records what the CLI sent.
 */

import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signManifest } from '../../src/signing/index.ts'
import { keys, manifest } from '../signing/fixtures.ts'
import { removeCli, vendor } from './run.ts'

interface Seen {
  method?: string
  url?: string
  authorization?: string
  contentType?: string
  body: string
}
const seen: Seen[] = []
let reply: { status: number; body: string } = { status: 201, body: '{}' }

const server = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    seen.push({
      method: req.method,
      url: req.url,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks).toString(),
    })
    res.writeHead(reply.status, { 'content-type': 'application/json' })
    res.end(reply.body)
  })
})
let hub = ''
const dir = mkdtempSync(join(tmpdir(), 'vigil-push-'))
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  hub = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  rmSync(dir, { recursive: true, force: true })
  removeCli()
})

const envelopeText = `${JSON.stringify(signManifest(manifest(), [keys.a.privateKeyPem]), null, 2)}\n`
writeFileSync(join(dir, 'env.json'), envelopeText)
const push = (args: string[], env?: NodeJS.ProcessEnv) =>
  vendor(['push', 'env.json', ...args], { cwd: dir, env })

describe('vigil-vendor push', () => {
  it('POSTs the envelope unchanged with the bearer token; exit 0 on 201', async () => {
    reply = { status: 201, body: JSON.stringify({ id: 'abc', version: '4.2.1' }) }
    seen.length = 0
    const r = await push(['--hub', hub, '--token', 'vt_secret'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('accepted')
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/v1/manifests',
      authorization: 'Bearer vt_secret',
      contentType: 'application/json',
      body: envelopeText,
    })
  })
  it('takes the token and hub from VIGIL_VENDOR_TOKEN / VIGIL_HUB_URL', async () => {
    reply = { status: 201, body: '{}' }
    seen.length = 0
    const r = await push([], { VIGIL_VENDOR_TOKEN: 'from-env', VIGIL_HUB_URL: `${hub}/` })
    expect(r.code).toBe(0)
    expect(seen[0]?.authorization).toBe('Bearer from-env')
    expect(seen[0]?.url).toBe('/api/v1/manifests')
  })
  it('prints the hub’s error code and message on a 4xx; exit 1', async () => {
    reply = {
      status: 409,
      body: JSON.stringify({
        error: { code: 'MANIFEST_ROLLBACK', message: 'version 4.2.1 is not newer than 4.3.0' },
      }),
    }
    const r = await push(['--hub', hub, '--token', 't'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('MANIFEST_ROLLBACK: version 4.2.1 is not newer than 4.3.0')
  })
  it('exit 2 on a hub failure (5xx)', async () => {
    reply = { status: 503, body: 'unavailable' }
    const r = await push(['--hub', hub, '--token', 't'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('HTTP 503')
  })
  it('exit 2 when the hub cannot be reached', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const r = await push(['--hub', `http://127.0.0.1:${port}`, '--token', 't'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('cannot reach')
  })
  it('exit 2 without a token or with a non-http hub', async () => {
    expect((await push(['--hub', hub])).code).toBe(2)
    expect((await push(['--hub', 'ftp://x', '--token', 't'])).code).toBe(2)
  })
  it('does not send an oversize file; exit 1', async () => {
    writeFileSync(join(dir, 'huge.json'), Buffer.alloc(300 * 1024, 0x20))
    seen.length = 0
    const r = await vendor(['push', 'huge.json', '--hub', hub, '--token', 't'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('OVERSIZE')
    expect(seen).toHaveLength(0)
  })
  it('does not send a file that is not an envelope; exit 1', async () => {
    writeFileSync(join(dir, 'junk.json'), '{"hello":1}')
    seen.length = 0
    const r = await vendor(['push', 'junk.json', '--hub', hub, '--token', 't'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('MALFORMED_ENVELOPE')
    expect(seen).toHaveLength(0)
    expect(readFileSync(join(dir, 'junk.json'), 'utf8')).toBe('{"hello":1}')
  })
  it('the curl command of VENDOR.md sends the envelope byte for byte', async () => {
    const md = readFileSync(new URL('../../VENDOR.md', import.meta.url), 'utf8')
    const script = md
      .split('<!-- curl-push:start -->')[1]
      ?.split('<!-- curl-push:end -->')[0]
      ?.replace(/^\s*```sh\n/, '')
      .replace(/```\s*$/, '')
    expect(script).toBeDefined()
    writeFileSync(join(dir, 'envelope.json'), envelopeText)
    reply = { status: 201, body: '{}' }
    seen.length = 0
    await new Promise<void>((resolve, reject) =>
      execFile(
        'sh',
        ['-c', script ?? ''],
        { cwd: dir, env: { ...process.env, HUB: hub, VIGIL_VENDOR_TOKEN: 'curl-token' } },
        (err) => (err ? reject(err) : resolve()),
      ),
    )
    expect(seen[0]).toMatchObject({
      authorization: 'Bearer curl-token',
      url: '/api/v1/manifests',
      body: envelopeText,
    })
  })
})
