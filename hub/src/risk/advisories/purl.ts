/** package-url parsing (https://github.com/package-url/purl-spec): just enough to match on. */

export interface Purl {
  type: string
  namespace: string | null
  name: string
  version: string | null
  qualifiers: Record<string, string>
}

const dec = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** Parses `pkg:type/ns/name@version?q=v#sub`; null when it is not a purl. */
export function parsePurl(text: string): Purl | null {
  if (!text.startsWith('pkg:')) return null
  let rest = text.slice(4).replace(/^\/+/, '')
  const hash = rest.indexOf('#')
  if (hash >= 0) rest = rest.slice(0, hash)
  const qualifiers: Record<string, string> = {}
  const q = rest.indexOf('?')
  if (q >= 0) {
    for (const pair of rest.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=')
      if (eq > 0) qualifiers[pair.slice(0, eq).toLowerCase()] = dec(pair.slice(eq + 1))
    }
    rest = rest.slice(0, q)
  }
  let version: string | null = null
  const at = rest.lastIndexOf('@')
  const slash = rest.indexOf('/')
  if (at > slash && slash >= 0) {
    version = dec(rest.slice(at + 1))
    rest = rest.slice(0, at)
  }
  const parts = rest.split('/').filter((p) => p !== '')
  const type = parts.shift()?.toLowerCase()
  const name = parts.pop()
  if (type === undefined || name === undefined || !/^[a-z.+-][a-z0-9.+-]*$/.test(type)) return null
  return {
    type,
    namespace: parts.length > 0 ? parts.map(dec).join('/') : null,
    name: dec(name),
    version,
    qualifiers,
  }
}
