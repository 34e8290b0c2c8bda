import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ConfigError, loadHubConfig } from '../../src/config.ts'
import {
  embeddedIpv4,
  FetchDenied,
  guardedGet,
  isPublicAddress,
  NOTHING_ALLOWED,
  parseFetchAllowList,
} from '../../src/net/fetch-guard.ts'

async function server() {
  const seen: string[] = []
  const srv = createServer((req, res) => {
    seen.push(req.url ?? '')
    if (req.url === '/redirect') {
      const port = (srv.address() as AddressInfo).port
      return res.writeHead(302, { location: `http://127.0.0.1:${port}/data` }).end()
    }
    res.writeHead(200).end('payload')
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  onTestFinished(() => new Promise<void>((r) => srv.close(() => r())))
  return { seen, port: (srv.address() as AddressInfo).port }
}

function allow(text: string) {
  const r = parseFetchAllowList(text)
  if (!r.ok) throw new Error(r.problems.join('; '))
  return r.allow
}

async function read(url: string, allowText = '') {
  const chunks: Buffer[] = []
  const signal = AbortSignal.timeout(5000)
  for await (const c of guardedGet(new URL(url), {
    allow: allowText ? allow(allowText) : NOTHING_ALLOWED,
    signal,
  }))
    chunks.push(Buffer.from(c))
  return Buffer.concat(chunks).toString()
}

describe('fetch guard', () => {
  it('knows which addresses are public', () => {
    const notPublic = [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd12:3456::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:7f00:1',
      'ff02::1',
      'not an address',
    ]
    for (const a of notPublic) expect(isPublicAddress(a), a).toBe(false)
    for (const a of ['8.8.8.8', '172.32.0.1', '1.1.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])
      expect(isPublicAddress(a), a).toBe(true)
  })

  it('treats IPv4-compatible, NAT64, 6to4 and site-local IPv6 as non-public (issue #14 finding 9)', async () => {
    for (const a of [
      '::7f00:1',
      '::127.0.0.1',
      '::8.8.8.8',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b::8.8.8.8',
      '2002:7f00:1::1',
      '2002:808:808::1',
      'fec0::1',
      'feff:ffff::1',
    ])
      expect(isPublicAddress(a), a).toBe(false)
    expect(embeddedIpv4('64:ff9b::a9fe:a9fe')).toBe('169.254.169.254')
    expect(embeddedIpv4('::127.0.0.1')).toBe('127.0.0.1')
    expect(embeddedIpv4('2002:a00:5::1')).toBe('10.0.0.5')
    expect(embeddedIpv4('2001:4860:4860::8888')).toBeUndefined()
    expect(embeddedIpv4('::ffff:8.8.8.8')).toBeUndefined()
    // The literal is refused before any connection, and the message names the embedded address.
    await expect(read('http://[64:ff9b::7f00:1]:9/x')).rejects.toThrow(
      /embedding 127\.0\.0\.1, a non-public address/,
    )
    await expect(read('http://[::127.0.0.1]:9/x')).rejects.toBeInstanceOf(FetchDenied)
    await expect(read('http://[2002:7f00:1::1]:9/x')).rejects.toBeInstanceOf(FetchDenied)
  })

  it('parses the allow list and names every bad entry (config lists them all)', () => {
    const a = allow(' mirror.hospital.local , 10.20.0.0/16,fd00::5, 192.168.1.7 ')
    expect(a.hosts.has('mirror.hospital.local')).toBe(true)
    expect(a.networks.check('10.20.9.9', 'ipv4')).toBe(true)
    expect(a.networks.check('10.21.0.1', 'ipv4')).toBe(false)
    expect(a.networks.check('fd00::5', 'ipv6')).toBe(true)
    expect(parseFetchAllowList('10.0.0.0/33, http://x, ok.host')).toEqual({
      ok: false,
      problems: [
        '"10.0.0.0/33" is not a host name, an IP address or a CIDR network',
        '"http://x" is not a host name, an IP address or a CIDR network',
      ],
    })
    expect(() => loadHubConfig({}, { VIGIL_ARTIFACT_FETCH_ALLOW: 'a b' })).toThrow(ConfigError)
    expect(() => loadHubConfig({}, { VIGIL_ARTIFACT_FETCH_ALLOW: 'a b' })).toThrow(
      /artifactFetchAllow \(VIGIL_ARTIFACT_FETCH_ALLOW\): "a b" is not a host name/,
    )
  })

  it('refuses loopback by address or by name without connecting', async () => {
    const { seen, port } = await server()
    await expect(read(`http://127.0.0.1:${port}/data`)).rejects.toThrow(FetchDenied)
    await expect(read(`http://localhost:${port}/data`)).rejects.toThrow(/localhost is .* non-public address/)
    await expect(read(`http://[::ffff:127.0.0.1]:${port}/data`)).rejects.toThrow(FetchDenied)
    await expect(read(`ftp://127.0.0.1:${port}/data`)).rejects.toThrow(/scheme ftp:/)
    expect(seen).toEqual([])
  })

  it('fetches what the operator allows, and checks every redirect hop again', async () => {
    const { seen, port } = await server()
    expect(await read(`http://127.0.0.1:${port}/data`, '127.0.0.0/8')).toBe('payload')
    expect(await read(`http://localhost:${port}/data`, 'localhost')).toBe('payload')
    // Allowed by name, redirected to an address that is not allowed: the second hop is refused.
    await expect(read(`http://localhost:${port}/redirect`, 'localhost')).rejects.toThrow(
      /127\.0\.0\.1 is a non-public address/,
    )
    expect(seen).toEqual(['/data', '/data', '/redirect'])
  })
})
