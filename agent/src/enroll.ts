/**
 * Enrollment: trade a one-time token for device credentials (`POST <hub>/api/v1/enroll`).
 */

import { hostname } from 'node:os'
import { API_PREFIX, type RouteReply, routeRequest } from '@vigil/protocol'
import { followRootChain, verifyInitialRoot } from '@vigil/protocol/signing'
import { validators } from '@vigil/protocol/wire'
import { type Credentials, writeCredentials } from './credentials.js'
import { writeJsonAtomic } from './state-files/json.js'
import { trustBundlePath, vendorTrustPath } from './state-files/paths.js'

export class EnrollError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface EnrollOptions {
  hubUrl: string
  token: string
  name?: string
  dir: string
  fetch?: typeof fetch
}

const responseValidator = validators.enrollResponse

/** The fingerprint of the root the chain leads to, as this device verifies it (not as the hub says). */
function rootInForce(roots: readonly unknown[]): string | undefined {
  const first = verifyInitialRoot(roots[0])
  if (!first.ok) return undefined
  const r = followRootChain(first.root, roots.slice(1))
  return r.ok ? r.root.fingerprint : undefined
}

export async function enrollDevice(
  options: EnrollOptions,
): Promise<Credentials & { rootFingerprint?: string }> {
  let base: URL
  try {
    base = new URL(options.hubUrl)
  } catch {
    throw new EnrollError('VIGIL_AGENT_BAD_HUB_URL', `not a URL: ${JSON.stringify(options.hubUrl)}`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new EnrollError('VIGIL_AGENT_BAD_HUB_URL', `the hub URL must be http(s)://, got ${base.protocol}`)
  }
  // Typed by protocol's route map: a changed enroll request or answer breaks this file's typecheck.
  const call = routeRequest('POST /enroll', {
    body: { token: options.token, name: options.name ?? hostname() },
  })
  const url = new URL(`${API_PREFIX}${call.path}`, base)
  const doFetch = options.fetch ?? fetch
  let res: Response
  try {
    res = await doFetch(url, {
      method: call.method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(call.body),
      signal: AbortSignal.timeout(30_000),
    })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message
    throw new EnrollError('VIGIL_AGENT_HUB_UNREACHABLE', `cannot reach the hub at ${url.origin}: ${cause}`)
  }
  const text = await res.text()
  if (!res.ok) {
    let message = text.slice(0, 500)
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } }
      if (body.error?.message) message = `${body.error.code ?? ''} ${body.error.message}`.trim()
    } catch {
      // keep the raw text
    }
    throw new EnrollError(
      'VIGIL_AGENT_ENROLL_REFUSED',
      `the hub refused the enrollment (${res.status}): ${message}`,
    )
  }
  const parsed = responseValidator.parse(text)
  if (!parsed.ok)
    throw new EnrollError('VIGIL_AGENT_BAD_RESPONSE', `unexpected enroll answer: ${parsed.message}`)
  const answer: RouteReply<'POST /enroll'> = parsed.value
  const creds: Credentials = {
    hubUrl: base.origin,
    deviceId: answer.deviceId,
    mqtt: answer.mqtt,
  }
  await writeCredentials(options.dir, creds)
  // Vendor keys for signed manifests, provisioned once here; only rotations signed by them change them.
  if (answer.vendors?.length) await writeJsonAtomic(vendorTrustPath(options.dir), answer.vendors)
  // The operator root chain and delegations: verified and taken when the agent starts (first root).
  const trust = answer.trust
  if (trust?.roots.length) await writeJsonAtomic(trustBundlePath(options.dir), trust)
  const fingerprint = trust?.roots.length ? rootInForce(trust.roots) : undefined
  return fingerprint ? { ...creds, rootFingerprint: fingerprint } : creds
}
