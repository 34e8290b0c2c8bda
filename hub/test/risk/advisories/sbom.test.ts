import { describe, expect, it } from 'vitest'
import { parsePurl } from '../../../src/risk/advisories/purl.ts'
import { parseSbom } from '../../../src/risk/advisories/sbom.ts'
import { deviceSbom } from './sbom-fixtures.ts'

describe('purl parsing', () => {
  it('splits type, namespace, name, version and qualifiers, decoding percent escapes', () => {
    expect(
      parsePurl('pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl'),
    ).toEqual({
      type: 'deb',
      namespace: 'debian',
      name: 'libssl3',
      version: '3.0.11-1~deb12u2',
      qualifiers: { arch: 'amd64', distro: 'debian-12', upstream: 'openssl' },
    })
    expect(parsePurl('pkg:npm/%40angular/core@16.0.0')).toMatchObject({ namespace: '@angular', name: 'core' })
    expect(parsePurl('pkg:golang/github.com/foo/bar@v1.2.3')).toMatchObject({
      namespace: 'github.com/foo',
      name: 'bar',
    })
    expect(parsePurl('not-a-purl')).toBeNull()
    expect(parsePurl('pkg:')).toBeNull()
  })
})

describe('CycloneDX SBOM → match target', () => {
  it('reads the device from metadata.component and packages with their distro and source', () => {
    const r = parseSbom(
      deviceSbom({
        vendor: 'Becton, Dickinson and Company (BD)',
        model: 'BD Alaris Guardrails Editor',
        firmware: '12.1.2',
        purls: [
          'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
          'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3',
          'pkg:npm/%40scope/thing@1.0.0',
        ],
      }),
    )
    if (!r.ok) throw new Error(r.reason)
    expect(r.target.devices).toEqual([
      {
        vendor: 'Becton, Dickinson and Company (BD)',
        model: 'BD Alaris Guardrails Editor',
        firmware: '12.1.2',
        purl: null,
      },
    ])
    expect(r.target.packages).toEqual([
      expect.objectContaining({
        name: 'libssl3',
        purlType: 'deb',
        release: '12',
        source: { name: 'openssl', version: undefined },
      }),
      expect.objectContaining({ name: 'musl', purlType: 'apk', release: '3.20' }),
      expect.objectContaining({ name: '@scope/thing', purlType: 'npm', release: null }),
    ])
  })

  it('takes the vendor from supplier (1.5) and the release from an operating-system component', () => {
    const r = parseSbom({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      metadata: {
        component: {
          type: 'device',
          name: 'IntelliVue MX40',
          version: 'B.06.18',
          supplier: { name: 'Philips' },
        },
      },
      components: [
        { type: 'operating-system', name: 'debian', version: '12.5' },
        {
          type: 'library',
          name: 'openssl',
          version: '3.0.11-1~deb12u2',
          purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u2',
        },
      ],
    })
    if (!r.ok) throw new Error(r.reason)
    expect(r.target.devices[0]).toMatchObject({
      vendor: 'Philips',
      model: 'IntelliVue MX40',
      firmware: 'B.06.18',
    })
    expect(r.target.packages[0]).toMatchObject({ name: 'openssl', release: '12' })
  })

  it('refuses what is not CycloneDX 1.4–1.6, saying why', () => {
    expect(parseSbom({ bomFormat: 'SPDX' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/CycloneDX/),
    })
    expect(parseSbom({ bomFormat: 'CycloneDX', specVersion: '1.2' })).toMatchObject({ ok: false })
  })

  it('refuses absurd nesting of components and warns about bad purls', () => {
    let c: Record<string, unknown> = { type: 'library', name: 'leaf' }
    for (let i = 0; i < 40; i++) c = { type: 'library', name: `n${i}`, components: [c] }
    expect(parseSbom({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [c] })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/nested/),
    })
    const r = parseSbom({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      components: [{ type: 'library', name: 'x', purl: 'nope' }],
    })
    expect(r).toMatchObject({ ok: true, warnings: [expect.stringMatching(/invalid purl/)] })
  })
})
