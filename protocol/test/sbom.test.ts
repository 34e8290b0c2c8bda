import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatSourcePackage, parseSourcePackage, SBOM_SOURCE_PACKAGE_PROPERTY } from '../src/index.ts'

describe('SBOM source-package convention', () => {
  it('names the property once', () => {
    expect(SBOM_SOURCE_PACKAGE_PROPERTY).toBe('vigil:sourcePackage')
  })

  it('writes name or name@version and reads it back', () => {
    expect(formatSourcePackage({ name: 'openssl' })).toBe('openssl')
    expect(formatSourcePackage({ name: 'glibc', version: '2.36-9+deb12u10' })).toBe('glibc@2.36-9+deb12u10')
    expect(parseSourcePackage('glibc@2.36-9+deb12u10')).toEqual({ name: 'glibc', version: '2.36-9+deb12u10' })
    expect(parseSourcePackage('openssl')).toEqual({ name: 'openssl' })
    expect(parseSourcePackage('')).toBeUndefined()
    expect(parseSourcePackage('@1.0')).toBeUndefined()
  })

  it('round-trips every Debian source name and version', () => {
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9+.-]{1,30}$/)
    const version = fc.option(fc.stringMatching(/^[0-9][A-Za-z0-9.+~:-]{0,30}$/), { nil: undefined })
    fc.assert(
      fc.property(name, version, (n, v) => {
        const source = v === undefined ? { name: n } : { name: n, version: v }
        expect(parseSourcePackage(formatSourcePackage(source))).toEqual(source)
      }),
    )
  })
})
