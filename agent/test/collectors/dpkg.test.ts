import { readFileSync } from 'node:fs'
import { compile, InstalledPackage } from '@vigil/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseDpkgStatus } from '../../src/collectors/dpkg.ts'

const fixture = (n: string) => readFileSync(new URL(`../fixtures/${n}`, import.meta.url), 'utf8')
const os = { id: 'debian', versionId: '12' }
const pkgV = compile(InstalledPackage)

describe('parseDpkgStatus', () => {
  it('lists only installed packages with arch, source name/version and purl', () => {
    const { packages, errors } = parseDpkgStatus(fixture('dpkg-status'), os)
    expect(errors).toEqual([])
    expect(packages.map((p) => `${p.name}:${p.arch}`)).toEqual([
      'openssl:amd64',
      'libssl3:amd64',
      'libssl3:i386',
      'libgcc-s1:amd64',
      'libc6:amd64',
      'tzdata:all',
      'bsdutils:amd64',
    ])
    const openssl = packages[0]!
    expect(openssl.purl).toBe('pkg:deb/debian/openssl@3.0.17-1~deb12u2?arch=amd64&distro=debian-12')
    expect(openssl.source).toEqual({ name: 'openssl', version: '3.0.17-1~deb12u2' })
    expect(packages[1]!.source).toEqual({ name: 'openssl', version: '3.0.17-1~deb12u2' })
    expect(packages[3]!.source).toEqual({ name: 'gcc-12', version: '12.2.0-14+deb12u1' })
    const bsd = packages.find((p) => p.name === 'bsdutils')!
    expect(bsd.version).toBe('1:2.38.1-5+deb12u3')
    expect(bsd.purl).toBe('pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12')
    expect(bsd.source).toEqual({ name: 'util-linux', version: '2.38.1-5+deb12u3' })
    for (const p of packages) expect(pkgV.validate(p).ok).toBe(true)
  })

  it('reports the parsable part of a truncated database with errors, without throwing', () => {
    const { packages, errors } = parseDpkgStatus(fixture('dpkg-status-truncated'), os)
    expect(packages.map((p) => p.name)).toEqual(['openssl', 'libssl3', 'libssl3', 'libgcc-s1'])
    expect(errors.join('\n')).toMatch(/not a "Field: value" line/)
    expect(errors.join('\n')).toMatch(/libc6 has no Version/)
  })

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (s) => {
        const r = parseDpkgStatus(s, os)
        expect(Array.isArray(r.packages)).toBe(true)
      }),
    )
  })
})
