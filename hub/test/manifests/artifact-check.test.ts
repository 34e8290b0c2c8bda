/**
 * The hub checks a pushed manifest's artifacts it can reach (a real local HTTP server, file:// under the
 * configured root): a wrong hash or size is refused (422, audited); unreachable ones are stored as
 * `unverified`, visible in the API.
 */
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { tempDir, testHub } from '../helpers.ts'
import { createVendor, manifest, push, sign } from './fixtures.ts'

const GOOD = Buffer.from('firmware image 4.2.x '.repeat(100))
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

async function artifactServer(files: Record<string, Buffer>) {
  const server = createServer((req, res) => {
    const body = files[req.url ?? '']
    if (!body) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Counts the requests it receives: a refused fetch must not even connect. */
async function countingServer() {
  const seen: string[] = []
  const server = createServer((req, res) => {
    seen.push(req.url ?? '')
    res.writeHead(200).end(GOOD)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())))
  return { seen, port: (server.address() as AddressInfo).port }
}

const artifact = (url: string, body: Buffer = GOOD) => ({
  name: 'igw.bin',
  url,
  sha256: sha(GOOD),
  size: body.length,
})

describe('artifact check at push time', () => {
  it('verifies reachable artifacts, refuses a wrong hash or size (audited), marks the unreachable unverified', async () => {
    const root = await tempDir()
    const outside = await tempDir()
    const hub = await testHub({ artifactFileRoot: root, artifactFetchAllow: '127.0.0.1' })
    const vendor = await createVendor(hub)
    const base = await artifactServer({
      '/good.bin': GOOD,
      '/tampered.bin': Buffer.from(GOOD).fill(0x41, 0, 10),
    })
    await writeFile(join(root, 'good.bin'), GOOD)
    await writeFile(join(root, 'short.bin'), GOOD.subarray(0, 100))
    await writeFile(join(outside, 'good.bin'), GOOD)
    let n = 0
    const pushWith = (artifacts: ReturnType<typeof artifact>[]) =>
      push(hub, vendor.token, sign(manifest({ version: `4.2.${++n}`, artifacts }), vendor.keys))

    const tampered = await pushWith([artifact(`${base}/tampered.bin`)])
    expect(tampered.status).toBe(422)
    expect(tampered.body.error?.code).toBe('ARTIFACT_HASH')
    const short = await pushWith([artifact(pathToFileURL(join(root, 'short.bin')).href)])
    expect(short.status).toBe(422)
    expect(short.body.error?.code).toBe('ARTIFACT_SIZE')
    const audit = await hub.app.hub.store.audit.read({ filter: (e) => e.action === 'manifest.push' && !e.ok })
    expect(audit.map((e) => e.detail?.split(':')[0]).sort()).toEqual(['ARTIFACT_HASH', 'ARTIFACT_SIZE'])

    const good = await pushWith([
      artifact(`${base}/good.bin`),
      artifact(pathToFileURL(join(root, 'good.bin')).href),
    ])
    expect(good.status, JSON.stringify(good.body)).toBe(201)
    expect(good.body.artifactCheck).toBe('verified')

    const unreachable = await pushWith([artifact(`${base}/missing.bin`)])
    expect(unreachable.status).toBe(201)
    expect(unreachable.body.artifactCheck).toBe('unverified')
    const notUnderRoot = await pushWith([artifact(pathToFileURL(join(outside, 'good.bin')).href)])
    expect(notUnderRoot.status).toBe(201)
    expect(notUnderRoot.body.artifactCheck).toBe('unverified')
    const accepted = await hub.app.hub.store.audit.read({
      filter: (e) => e.action === 'manifest.push' && e.ok,
    })
    expect(accepted.some((e) => e.detail?.includes('unverified (igw.bin: outside artifactFileRoot)'))).toBe(
      true,
    )
  })

  it('serialises pushes of one vendor: the same version twice at once is accepted once, refused once', async () => {
    const hub = await testHub({ artifactFetchAllow: '127.0.0.1' })
    const vendor = await createVendor(hub)
    // a slow artifact host keeps the first push inside its artifact check while the second arrives
    const server = createServer((_req, res) => {
      setTimeout(() => res.writeHead(404).end(), 300)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fw.bin`
    const a = sign(manifest({ version: '5.0.0', artifacts: [artifact(url)] }), vendor.keys)
    const b = sign(
      manifest({ version: '5.0.0', artifacts: [artifact(url, Buffer.from('other'))] }),
      vendor.keys,
    )
    const results = await Promise.all([push(hub, vendor.token, a), push(hub, vendor.token, b)])
    expect(results.map((r) => r.status).sort()).toEqual([201, 409])
    expect(results.find((r) => r.status === 409)?.body.error?.code).toBe('MIX_AND_MATCH')
  })

  it('does not fetch from the internal network unless the operator allows it (SSRF)', async () => {
    const hub = await testHub()
    const vendor = await createVendor(hub)
    const { seen, port } = await countingServer()
    let n = 0
    for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]', '169.254.169.254']) {
      const res = await push(
        hub,
        vendor.token,
        sign(
          manifest({ version: `6.0.${++n}`, artifacts: [artifact(`http://${host}:${port}/fw.bin`)] }),
          vendor.keys,
        ),
      )
      expect(res.status, host).toBe(201)
      expect(res.body.artifactCheck, host).toBe('unverified')
    }
    expect(seen).toEqual([])
    const accepted = await hub.app.hub.store.audit.read({
      filter: (e) => e.action === 'manifest.push' && e.ok,
    })
    expect(accepted.filter((e) => e.detail?.includes('non-public address: not fetched'))).toHaveLength(4)
  })
})
