import { ApiError } from '../../api/common.js'
import { decodeEnvelope, MAX_ENVELOPE_BYTES } from '../../signing/envelope.js'
import { compile } from '../../validate.js'
import { one, parse, str } from '../args.js'
import { loadVendorEnv } from '../config.js'
import { type Command, EXIT, readTextUpTo, UsageError } from '../io.js'

const TIMEOUT_MS = 30_000
const apiError = compile(ApiError)

function hubEndpoint(hub: string): URL {
  let url: URL
  try {
    url = new URL(hub)
  } catch {
    throw new UsageError(`--hub ${hub} is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--hub must be http(s)://')
  return new URL('api/v1/manifests', url.href.endsWith('/') ? url.href : `${url.href}/`)
}

/** The hub's `{"error":{"code","message"}}`, or the raw text when it is something else. */
function describeError(status: number, text: string): string {
  const parsed = apiError.parse(text)
  if (parsed.ok) return `${parsed.value.error.code}: ${parsed.value.error.message}`
  return `HTTP ${status}: ${text.slice(0, 500)}`
}

export const push: Command = {
  summary: 'send a signed envelope to the hub',
  usage: `vigil-vendor push <envelope.json> --hub <url> [--token <vendor token>]

POSTs the envelope unchanged to <url>/api/v1/manifests with the vendor's bearer token (or
VIGIL_VENDOR_TOKEN, which keeps it out of the process list; VIGIL_HUB_URL may replace --hub).
Exit 0 accepted, 1 refused by the hub (its error code and message are printed), 2 usage, network
or hub failure.`,
  async run(args, io) {
    const p = parse(args, { hub: { type: 'string' }, token: { type: 'string' } })
    const file = one(p, 'envelope file')
    const env = loadVendorEnv()
    const hub = str(p, 'hub') ?? env.hubUrl
    const token = str(p, 'token') ?? env.token
    if (hub === undefined) throw new UsageError('--hub <url> is needed')
    if (token === undefined) throw new UsageError('--token <vendor token> (or VIGIL_VENDOR_TOKEN) is needed')
    const endpoint = hubEndpoint(hub)
    const text = readTextUpTo(file, 'envelope', MAX_ENVELOPE_BYTES)
    if (text === undefined) {
      io.err(`${file}: OVERSIZE: larger than ${MAX_ENVELOPE_BYTES} bytes (not sent)`)
      return EXIT.refused
    }
    const local = decodeEnvelope(text)
    if (!local.ok) {
      io.err(`${file}: ${local.code}: ${local.message} (not sent)`)
      return EXIT.refused
    }
    let response: Response
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: text,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      io.err(`cannot reach ${endpoint.origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`)
      return EXIT.usage
    }
    const body = await response.text()
    if (response.ok) {
      io.out(`accepted by ${endpoint.origin} (HTTP ${response.status})`)
      if (body) io.out(body)
      return EXIT.ok
    }
    io.err(`refused by ${endpoint.origin}: ${describeError(response.status, body)}`)
    return response.status >= 400 && response.status < 500 ? EXIT.refused : EXIT.usage
  },
}
