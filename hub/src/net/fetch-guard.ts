/**
 * Outbound fetches on behalf of a vendor (a pushed manifest's artifact URLs) must not reach the
 * hospital's internal network: a vendor token would otherwise make the hub probe, or send GETs to,
 * loopback services, the intranet or a cloud metadata endpoint (server-side request forgery).
 *
 * Every address a URL resolves to is checked against the IANA special-purpose ranges before the
 * connection is made, in the `lookup` the socket itself uses, so a DNS answer cannot change between
 * the check and the connect (rebinding); redirects are followed by hand and each hop is checked the
 * same way. Operators who keep artifacts on an internal mirror allow it explicitly by host name,
 * address or CIDR (`VIGIL_ARTIFACT_FETCH_ALLOW`).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { BlockList, isIP, type LookupFunction } from 'node:net'

export class FetchDenied extends Error {
  override name = 'FetchDenied'
}

/** Ranges that are not the public Internet (IANA IPv4/IPv6 special-purpose address registries). */
const NOT_PUBLIC = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4')
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback, and IPv4-compatible addresses (deprecated; embed an IPv4 address)
  ['64:ff9b::', 96], // NAT64 well-known prefix: reaches the embedded IPv4 address through a translator
  ['2002::', 16], // 6to4: the embedded IPv4 address is the relay's (or an internal one)
  ['fec0::', 10], // site-local (deprecated, still routed inside some sites)
  ['64:ff9b:1::', 48], // local-use IPv4/IPv6 translation
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6')
}

/** The 16 bytes of an IPv6 literal (with or without a dotted IPv4 tail), or undefined. */
function ipv6Bytes(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined
  let text = address.split('%')[0] ?? ''
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number)
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const groups = (part: string | undefined) => (part ? part.split(':') : [])
  const h = groups(head)
  const t = groups(tail)
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
  return all.flatMap((g) => {
    const n = Number.parseInt(g, 16)
    return [n >> 8, n & 0xff]
  })
}

/**
 * The IPv4 address embedded in an IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) or 6to4
 * (`2002:AABB:CCDD::/48`) address, or undefined. Those ranges are never public themselves; the
 * embedded address is what an allow-list entry and the refusal message are judged by.
 */
export function embeddedIpv4(address: string): string | undefined {
  const b = ipv6Bytes(address)
  if (!b) return undefined
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0)
  const v4 = (i: number) => b.slice(i, i + 4).join('.')
  if (zero(0, 12) && !zero(12, 16)) return v4(12)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return v4(12)
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2)
  return undefined
}

/**
 * Whether `address` (an IPv4 or IPv6 literal) is a public Internet address. `BlockList` judges an
 * IPv4-mapped IPv6 address (`::ffff:7f00:1`) by its IPv4 rules.
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 0) return false
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

/** Hosts, addresses and networks an operator allows although they are not public. */
export interface FetchAllowList {
  hosts: ReadonlySet<string>
  networks: BlockList
  /** The entries as written, for messages. */
  text: string
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i

/**
 * Parses `VIGIL_ARTIFACT_FETCH_ALLOW`: comma-separated host names, IP addresses and CIDR networks
 * (`mirror.hospital.local, 10.20.0.0/16, fd00::5`). Returns the problems when an entry is none of those.
 */
export function parseFetchAllowList(
  text = '',
): { ok: true; allow: FetchAllowList } | { ok: false; problems: string[] } {
  const hosts = new Set<string>()
  const networks = new BlockList()
  const problems: string[] = []
  for (const raw of text.split(',')) {
    const entry = raw.trim()
    if (entry === '') continue
    const [address, prefixText, extra] = entry.split('/')
    const family = isIP(address ?? '')
    if (family !== 0 && address !== undefined && extra === undefined) {
      const type = family === 4 ? 'ipv4' : 'ipv6'
      if (prefixText === undefined) {
        networks.addAddress(address, type)
        continue
      }
      const prefix = Number(prefixText)
      if (/^\d+$/.test(prefixText) && prefix <= (family === 4 ? 32 : 128)) {
        networks.addSubnet(address, prefix, type)
        continue
      }
    } else if (prefixText === undefined && HOSTNAME.test(entry)) {
      hosts.add(entry.toLowerCase())
      continue
    }
    problems.push(`"${entry}" is not a host name, an IP address or a CIDR network`)
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, allow: { hosts, networks, text } }
}

export const NOTHING_ALLOWED: FetchAllowList = { hosts: new Set(), networks: new BlockList(), text: '' }

function allowedAddress(address: string, allow: FetchAllowList): boolean {
  if (isPublicAddress(address)) return true
  const family = isIP(address)
  if (family !== 0 && allow.networks.check(address, family === 4 ? 'ipv4' : 'ipv6')) return true
  // An address that embeds an allowed IPv4 address (NAT64, 6to4, IPv4-compatible) is that address.
  const v4 = embeddedIpv4(address)
  return v4 !== undefined && allow.networks.check(v4, 'ipv4')
}

function denied(host: string, address: string): FetchDenied {
  const v4 = embeddedIpv4(address)
  const what = `${host === address ? '' : `${address}, `}${v4 ? `embedding ${v4}, ` : ''}`
  return new FetchDenied(
    `${host} is ${what}a non-public address: not fetched (VIGIL_ARTIFACT_FETCH_ALLOW allows it)`,
  )
}

/** A `lookup` for sockets that refuses non-public answers unless allowed. */
export function guardedLookup(allow: FetchAllowList): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4)
      const byName = allow.hosts.has(hostname.toLowerCase())
      const bad = byName ? undefined : addresses.find((a) => !allowedAddress(a.address, allow))
      if (bad) return callback(denied(hostname, bad.address), '', 4)
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
      const first = addresses[0]
      if (!first) return callback(new FetchDenied(`${hostname} has no address`), '', 4)
      callback(null, first.address, first.family)
    })
  }
}

export interface GuardedGetOptions {
  allow: FetchAllowList
  signal: AbortSignal
  maxRedirects?: number
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '')
}

/** Checks what can be checked before connecting: the scheme and a literal address (no lookup happens). */
function precheck(url: URL, allow: FetchAllowList): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchDenied(`scheme ${url.protocol}`)
  const host = hostOf(url)
  if (isIP(host) !== 0 && !allowedAddress(host, allow)) throw denied(host, host)
}

function getOnce(url: URL, opts: GuardedGetOptions): Promise<IncomingMessage> {
  precheck(url, opts.allow)
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', lookup: guardedLookup(opts.allow), signal: opts.signal },
      resolve,
    )
    req.on('error', reject)
    req.end()
  })
}

/**
 * GET `url` with every hop's addresses checked; answers the final response's body as it streams.
 * Throws `FetchDenied` for a refused address or scheme, and an Error for HTTP failures.
 */
export async function* guardedGet(url: URL, opts: GuardedGetOptions): AsyncGenerator<Uint8Array> {
  let current = url
  for (let hop = 0; ; hop++) {
    const res = await getOnce(current, opts)
    const status = res.statusCode ?? 0
    if (status >= 300 && status < 400 && res.headers.location !== undefined) {
      res.resume()
      if (hop >= (opts.maxRedirects ?? 5)) throw new Error('too many redirects')
      current = new URL(res.headers.location, current)
      continue
    }
    if (status < 200 || status >= 300) {
      res.resume()
      throw new Error(`HTTP ${status}`)
    }
    yield* res
    return
  }
}
