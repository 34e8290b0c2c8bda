/**
 * Merges one of MITRE's CWE catalogue XML files (`cwec_v4.x.xml`, from
 * https://cwe.mitre.org/data/downloads.html) into the bundled catalogue: new ids are added, a renamed
 * weakness gets its new name first and keeps the old ones. Pure: text in, catalogue out.
 */
import type { CweCatalogue } from './catalogue.js'

export class CweXmlError extends Error {
  override name = 'CweXmlError'
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1))
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole
    }
    return ENTITIES[e.toLowerCase()] ?? whole
  })
}

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const m of tag.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    out.set(m[1] as string, decode(m[3] ?? m[4] ?? ''))
  }
  return out
}

/** The catalogue with the weaknesses of `xml` merged in. Throws `CweXmlError` for a non-CWE file. */
export function mergeCweXml(current: CweCatalogue, xml: string): CweCatalogue {
  const head = /<Weakness_Catalog\b[^>]*>/.exec(xml)
  if (!head) throw new CweXmlError('not a CWE catalogue: no <Weakness_Catalog> element')
  const catalogAttrs = attributes(head[0])
  const version = catalogAttrs.get('Version')
  const date = catalogAttrs.get('Date')
  if (version === undefined || date === undefined) {
    throw new CweXmlError('<Weakness_Catalog> has no Version or Date attribute')
  }
  const newer = Number.parseFloat(version) >= Number.parseFloat(current.latest.version)
  const names: Record<string, string[]> = structuredClone(current.names)
  let count = 0
  for (const m of xml.matchAll(/<Weakness\s[^>]*>/g)) {
    const a = attributes(m[0])
    const id = a.get('ID')
    const name = a.get('Name')
    if (id === undefined || !/^\d+$/.test(id) || name === undefined || name === '') {
      throw new CweXmlError(`malformed weakness element: ${m[0].slice(0, 120)}`)
    }
    const key = `CWE-${id}`
    const known = (Object.hasOwn(names, key) ? names[key] : undefined) ?? []
    // Newest name first; an older catalogue only adds names it had that were since changed.
    if (newer) names[key] = [name, ...known.filter((n) => n !== name)]
    else if (!known.includes(name)) names[key] = [...known, name]
    count++
  }
  if (count === 0) throw new CweXmlError('the catalogue lists no weaknesses')
  const first = current.versions.split('-')[0] ?? version
  const sorted = Object.entries(names).sort((x, y) => Number(x[0].slice(4)) - Number(y[0].slice(4)))
  return {
    ...current,
    versions: newer ? `${first}-${version}` : current.versions,
    latest: newer ? { version, date } : current.latest,
    names: Object.fromEntries(sorted),
  }
}

/** The catalogue as written to `catalogue.json`: one weakness per line, so updates diff well. */
export function serializeCweCatalogue(c: CweCatalogue): string {
  const { names, ...meta } = c
  const lines = Object.entries(names).map(([id, n]) => `${JSON.stringify(id)}:${JSON.stringify(n)}`)
  return `${JSON.stringify(meta).slice(0, -1)},"names":{\n${lines.join(',\n')}}}\n`
}
