/**
 * CycloneDX 1.4–1.6 JSON SBOM → `MatchTarget`. `metadata.component` is the device (manufacturer or
 * supplier name, name = model, version = firmware); `components[]` (nested too) carry purls. A
 * component of type `operating-system` gives the distro release for deb/apk purls without a `distro`
 * qualifier. Nested `device`/`firmware` components with a manufacturer are devices too.
 */
import { compile, parseSourcePackage, SBOM_SOURCE_PACKAGE_PROPERTY, type Static, Type } from '@vigil/protocol'
import { parsePurl } from './purl.js'
import {
  type MatchDevice,
  type MatchPackage,
  type MatchTarget,
  releaseFromQualifier,
  releaseOf,
} from './target.js'

const Org = Type.Object({ name: Type.Optional(Type.String()) })
const Component = Type.Object({
  type: Type.Optional(Type.String()),
  name: Type.String(),
  version: Type.Optional(Type.String()),
  purl: Type.Optional(Type.String()),
  manufacturer: Type.Optional(Org),
  supplier: Type.Optional(Org),
  publisher: Type.Optional(Type.String()),
  properties: Type.Optional(
    Type.Array(Type.Object({ name: Type.String(), value: Type.Optional(Type.String()) })),
  ),
  components: Type.Optional(Type.Array(Type.Unknown())),
})
const Bom = Type.Object({
  bomFormat: Type.Literal('CycloneDX'),
  specVersion: Type.String({ pattern: '^1\\.[4-6]$' }),
  metadata: Type.Optional(
    Type.Object({
      component: Type.Optional(Component),
      manufacturer: Type.Optional(Org),
      manufacture: Type.Optional(Org),
      supplier: Type.Optional(Org),
    }),
  ),
  components: Type.Optional(Type.Array(Type.Unknown())),
})
type ComponentT = Static<typeof Component>

const bomValidator = compile(Bom)
const componentValidator = compile(Component)
const MAX_DEPTH = 32

export type SbomParse = { ok: true; target: MatchTarget; warnings: string[] } | { ok: false; reason: string }

function prop(c: ComponentT, name: string): string | undefined {
  return c.properties?.find((p) => p.name === name)?.value
}

/**
 * The source package: Vigil's own convention first (`vigil:sourcePackage`, see @vigil/protocol's
 * sbom.ts), then other tools' — the purl's `upstream` qualifier and syft's properties.
 */
function sourceOf(c: ComponentT, qualifiers: Record<string, string>): MatchPackage['source'] {
  const own = prop(c, SBOM_SOURCE_PACKAGE_PROPERTY)
  const parsed = own === undefined ? undefined : parseSourcePackage(own)
  if (parsed) return parsed
  const upstream = qualifiers.upstream ?? prop(c, 'syft:metadata:source')
  if (upstream === undefined || upstream === '') return undefined
  const at = upstream.indexOf('@')
  const sp = upstream.indexOf(' ')
  const cut = at > 0 ? at : sp > 0 ? sp : -1
  if (cut > 0)
    return { name: upstream.slice(0, cut), version: upstream.slice(cut + 1).replace(/^\(|\)$/g, '') }
  return { name: upstream, version: prop(c, 'syft:metadata:sourceVersion') }
}

export function parseSbom(doc: unknown): SbomParse {
  const r = bomValidator.validate(doc)
  if (!r.ok) return { ok: false, reason: `not a CycloneDX 1.4–1.6 JSON SBOM: ${r.message}` }
  const bom = r.value
  const warnings: string[] = []
  const devices: MatchDevice[] = []
  const packages: MatchPackage[] = []
  const meta = bom.metadata
  const flat: ComponentT[] = []
  const stack: { c: unknown; depth: number }[] = [...(bom.components ?? [])]
    .reverse()
    .map((c) => ({ c, depth: 1 }))
  while (stack.length > 0) {
    const top = stack.pop()
    if (top === undefined) break
    if (top.depth > MAX_DEPTH) return { ok: false, reason: `components nested deeper than ${MAX_DEPTH}` }
    if (!componentValidator.check(top.c)) {
      warnings.push(`component skipped: ${componentValidator.errors(top.c, 1).join('')}`)
      continue
    }
    flat.push(top.c)
    for (const c of [...(top.c.components ?? [])].reverse()) stack.push({ c, depth: top.depth + 1 })
  }
  const os = flat.find((c) => c.type === 'operating-system' && c.version)
  const osRelease = os ? releaseOf(os.name, os.version) : null
  const main = meta?.component
  if (main) {
    const vendor =
      main.manufacturer?.name ??
      main.supplier?.name ??
      meta?.manufacturer?.name ??
      meta?.manufacture?.name ??
      meta?.supplier?.name ??
      main.publisher
    if (vendor && main.version)
      devices.push({ vendor, model: main.name, firmware: main.version, purl: main.purl ?? null })
    else warnings.push('metadata.component lacks a manufacturer/supplier or a version: no device matching')
  }
  for (const c of flat) {
    if (
      (c.type === 'device' || c.type === 'firmware') &&
      c.version &&
      (c.manufacturer?.name ?? c.supplier?.name)
    ) {
      devices.push({
        vendor: c.manufacturer?.name ?? c.supplier?.name ?? '',
        model: c.name,
        firmware: c.version,
        purl: c.purl ?? null,
      })
    }
    if (c.purl === undefined) continue
    const purl = parsePurl(c.purl)
    if (purl === null) {
      warnings.push(`component ${c.name}: invalid purl ${c.purl}`)
      continue
    }
    const raw = purl.version ?? c.version
    // Go module versions carry a `v` the Go vulnerability database leaves out.
    const version = purl.type === 'golang' && raw !== undefined ? raw.replace(/^v(?=\d)/, '') : raw
    if (version === undefined) {
      warnings.push(`component ${c.name}: no version`)
      continue
    }
    const distroPkg = purl.type === 'deb' || purl.type === 'apk' || purl.type === 'rpm'
    const name =
      purl.type === 'maven' && purl.namespace
        ? `${purl.namespace}:${purl.name}`
        : purl.namespace && purl.type !== 'deb' && purl.type !== 'apk' && purl.type !== 'rpm'
          ? `${purl.namespace}/${purl.name}`
          : purl.name
    packages.push({
      name,
      version,
      purlType: purl.type,
      release: distroPkg ? (releaseFromQualifier(purl.qualifiers.distro) ?? osRelease) : null,
      source: sourceOf(c, purl.qualifiers),
      purl: c.purl,
    })
  }
  return { ok: true, target: { devices, packages }, warnings }
}
