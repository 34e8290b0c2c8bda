/**
 * `/etc/os-release` (freedesktop.org format) → protocol OsRelease. Pure.
 */
import type { OsRelease } from '@vigil/protocol'

/** Parses KEY=value lines with optional single/double quotes and backslash escapes. */
export function parseOsReleaseFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq <= 0) continue
    const key = line.slice(0, eq)
    let value = line.slice(eq + 1)
    const q = value[0]
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1)
      if (q === '"') value = value.replace(/\\(["\\`$])/g, '$1')
    }
    out[key] = value
  }
  return out
}

export interface OsFacts {
  osReleaseText: string | undefined
  kernel: string
  arch: string
  platform: string
}

export function osReleaseFrom(facts: OsFacts): OsRelease {
  const f = facts.osReleaseText ? parseOsReleaseFile(facts.osReleaseText) : {}
  const os: OsRelease = {
    platform: facts.platform,
    id: f.ID ?? facts.platform,
    kernel: facts.kernel,
    arch: facts.arch,
  }
  if (f.VERSION_ID) os.versionId = f.VERSION_ID
  const codename = f.VERSION_CODENAME ?? f.UBUNTU_CODENAME
  if (codename) os.codename = codename
  if (f.PRETTY_NAME) os.prettyName = f.PRETTY_NAME
  return os
}
