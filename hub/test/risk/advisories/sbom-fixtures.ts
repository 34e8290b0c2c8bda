/** CycloneDX 1.6 JSON SBOMs for tests, shaped as SPEC describes a device SBOM. */
export interface DeviceSbomSpec {
  vendor: string
  model: string
  firmware: string
  purls?: string[]
}

export function deviceSbom(spec: DeviceSbomSpec): Record<string, unknown> {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: {
      component: {
        type: 'device',
        'bom-ref': 'device',
        name: spec.model,
        version: spec.firmware,
        manufacturer: { name: spec.vendor },
      },
    },
    components: (spec.purls ?? []).map((purl, i) => {
      const at = purl.lastIndexOf('@')
      const q = purl.indexOf('?')
      const version = decodeURIComponent(purl.slice(at + 1, q < 0 ? undefined : q))
      const name = decodeURIComponent(purl.slice(purl.lastIndexOf('/', at) + 1, at))
      return { type: 'library', 'bom-ref': `c${i}`, name, version, purl }
    }),
  }
}
