/**
 * Cross-site WebSocket hijacking guard: a browser sends `Origin` with every WebSocket handshake and
 * cross-origin request, and the session cookie rides along. The live stream accepts a handshake only
 * from the hub's own origin (the Host it was reached at) or an origin in `allowedOrigins`. A request
 * without Origin comes from a non-browser client, which has to present a token anyway.
 */
import type { IncomingHttpHeaders } from 'node:http'

export function parseOrigins(list: string | undefined): Set<string> {
  const out = new Set<string>()
  for (const o of (list ?? '').split(',')) {
    const t = o.trim()
    if (t) out.add(new URL(t).origin)
  }
  return out
}

export function originAllowed(headers: IncomingHttpHeaders, allowed: ReadonlySet<string>): boolean {
  const origin = headers.origin
  if (origin === undefined) return true
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (allowed.has(url.origin)) return true
  // Same origin: the browser reached this hub at the host the page came from.
  return typeof headers.host === 'string' && url.host === headers.host.toLowerCase()
}
