/**
 * `vigil-hub trust init|delegate`: the operator root of trust from an administrator's machine. Private
 * root keys stay in the directory given (PEM, mode 0600); the hub only ever receives signed statements,
 * through the running hub's API (`--hub URL --token=ADMIN_TOKEN`) or, with no `--hub`, into the data
 * directory of a stopped hub.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  API_PREFIX,
  DELEGATION_PAYLOAD_TYPE,
  type DelegationPayload,
  type DsseEnvelope,
  type RootPayload,
} from '@vigil/protocol'
import { generateKeyPair, readDelegation, signEnvelope, signRoot, trustKeyOf } from '@vigil/protocol/signing'
import type { HubConfig } from '../../config.js'
import { UsageError } from '../../errors.js'
import { openStore } from '../../store/open.js'
import { VendorDb } from '../vendors/db.js'
import { TrustDb } from './db.js'
import { TrustService } from './service.js'

export { TRUST_HELP } from './help.js'

/** What the hub's trust routes answer (fields of the success bodies, or the error). */
interface ApiAnswer {
  error?: { code?: string; message?: string }
  fingerprint?: string
  payloadText?: string
  version?: number
  devices?: number
  unchanged?: boolean
}

interface Target {
  hub?: string
  token?: string
}

function target(values: Record<string, unknown>): Target {
  const hub = typeof values.hub === 'string' ? values.hub.replace(/\/+$/, '') : undefined
  const token = typeof values.token === 'string' ? values.token : process.env.VIGIL_ADMIN_TOKEN
  if (hub && !token) throw new UsageError('--hub needs --token (or VIGIL_ADMIN_TOKEN)')
  return { ...(hub ? { hub } : {}), ...(token ? { token } : {}) }
}

async function api(
  t: Target,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: ApiAnswer }> {
  const res = await fetch(`${t.hub}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${t.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  let json: ApiAnswer
  try {
    json = JSON.parse(text)
  } catch {
    json = { error: { code: 'HTTP', message: text.slice(0, 300) } }
  }
  return { status: res.status, json }
}

function refused(json: { error?: { code?: string; message?: string } }): number {
  process.stderr.write(`REFUSED ${json.error?.code ?? '?'}: ${json.error?.message ?? ''}\n`)
  return 1
}

async function withService<T>(config: HubConfig, fn: (s: TrustService) => Promise<T>): Promise<T> {
  // The stopped hub's own store: its data directory, or its PostgreSQL database.
  const store = await openStore(config)
  try {
    const vendors = await VendorDb.open(store)
    const service = new TrustService({
      db: await TrustDb.open(store),
      vendors: () => vendors.vendors.values(),
    })
    return await fn(service)
  } finally {
    await store.close()
  }
}

async function writePrivate(file: string, text: string): Promise<void> {
  await writeFile(file, text, { mode: 0o600, flag: 'wx' })
  await chmod(file, 0o600)
}

function integer(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 32)
    throw new UsageError(`--${name} must be an integer from 1 to 32`)
  return n
}

async function init(argv: string[], config: HubConfig): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      keys: { type: 'string' },
      threshold: { type: 'string' },
      'expires-days': { type: 'string' },
      hub: { type: 'string' },
      token: { type: 'string' },
    },
    strict: true,
  })
  if (!values.out) throw new UsageError('--out DIR is required')
  const n = integer(values.keys, 'keys', 3)
  const threshold = integer(values.threshold, 'threshold', Math.min(2, n))
  if (threshold > n) throw new UsageError(`--threshold ${threshold} is more than --keys ${n}`)
  const days = Number(values['expires-days'] ?? 1095)
  if (!Number.isInteger(days) || days < 1) throw new UsageError('--expires-days must be a positive integer')
  const t = target(values)
  const dir = values.out
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const pairs = Array.from({ length: n }, () => generateKeyPair())
  for (const [i, p] of pairs.entries()) {
    await writePrivate(join(dir, `root-${i + 1}.pem`), p.privateKeyPem).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') throw new UsageError(`${dir} already holds root keys: never overwritten`)
        throw err
      },
    )
    await writeFile(join(dir, `root-${i + 1}.pub.pem`), p.publicKeyPem)
  }
  const now = new Date()
  const payload: RootPayload = {
    type: 'vigil-root',
    version: 1,
    keys: pairs.map((p) => trustKeyOf(p.publicKeyPem)),
    threshold,
    issuedAt: now.toISOString(),
    expires: new Date(now.getTime() + days * 86_400_000).toISOString(),
  }
  const envelope = signRoot(
    payload,
    pairs.map((p) => p.privateKeyPem),
  )
  await writeFile(join(dir, 'root-v1.dsse.json'), `${JSON.stringify(envelope)}\n`)
  let fingerprint: string
  if (t.hub) {
    const r = await api(t, 'POST', `${API_PREFIX}/trust/root`, envelope)
    if (r.status >= 300) return refused(r.json)
    fingerprint = r.json.fingerprint ?? '?'
  } else {
    const r = await withService(config, (s) => s.installRoot(envelope, 'cli'))
    if (!r.ok) return refused({ error: r })
    fingerprint = r.record.fingerprint
  }
  process.stdout.write(
    `root v1: ${n} keys, threshold ${threshold}, expires ${payload.expires}\nkeys in ${dir} (root-N.pem, mode 0600)\nroot fingerprint: ${fingerprint}\n`,
  )
  return 0
}

async function delegate(argv: string[], config: HubConfig): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      vendor: { type: 'string' },
      key: { type: 'string', multiple: true },
      out: { type: 'string' },
      hub: { type: 'string' },
      token: { type: 'string' },
    },
    strict: true,
  })
  if (!values.vendor) throw new UsageError('--vendor NAME is required')
  if (!values.key?.length) throw new UsageError('at least one --key root-N.pem is required')
  const keys = await Promise.all(values.key.map((f) => readFile(f, 'utf8')))
  const t = target(values)
  const sign = (payloadText: string): DsseEnvelope =>
    signEnvelope(Buffer.from(payloadText, 'utf8'), DELEGATION_PAYLOAD_TYPE, keys)
  const done = async (envelope: DsseEnvelope, version: number, devices: number, unchanged: boolean) => {
    if (values.out) await writeFile(values.out, `${JSON.stringify(envelope)}\n`)
    const read = readDelegation(envelope)
    const keyids = read.ok ? read.payload.keys.map((k) => k.keyid.slice(0, 16)).join(', ') : '?'
    process.stdout.write(
      unchanged
        ? `delegation of "${values.vendor}" v${version} was already published\n`
        : `delegated "${values.vendor}" v${version} (keys ${keyids || 'none'}): sent to ${devices} online device(s), the others at their next birth\n`,
    )
    return 0
  }
  if (t.hub) {
    const p = await api(
      t,
      'GET',
      `${API_PREFIX}/trust/delegations/pending?vendor=${encodeURIComponent(values.vendor)}`,
    )
    if (p.status >= 300) return refused(p.json)
    const envelope = sign(p.json.payloadText ?? '')
    const r = await api(t, 'POST', `${API_PREFIX}/trust/delegations`, envelope)
    if (r.status >= 300) return refused(r.json)
    return done(envelope, r.json.version ?? 0, r.json.devices ?? 0, r.json.unchanged === true)
  }
  return withService(config, async (s) => {
    const vendor = s.vendorByName(values.vendor as string)
    if (!vendor)
      return refused({ error: { code: 'VIGIL_NOT_FOUND', message: `no vendor named "${values.vendor}"` } })
    const payload: DelegationPayload = s.pending(vendor).payload
    const envelope = sign(TrustService.payloadText(payload))
    const r = await s.publishDelegation(envelope, 'cli')
    if (!r.ok) return refused({ error: r })
    return done(envelope, r.record.version, 0, r.unchanged)
  })
}

export async function trustCommand(argv: string[], config: HubConfig): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'init') return init(rest, config)
  if (sub === 'delegate') return delegate(rest, config)
  throw new UsageError(`unknown trust command ${sub ?? '(none)'}`)
}
