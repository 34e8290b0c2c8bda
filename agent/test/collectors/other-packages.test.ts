import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseApkInstalled } from '../../src/collectors/apk.ts'
import { osReleaseFrom, parseOsReleaseFile } from '../../src/collectors/os-release.ts'
import { parseRpmQa, parseSourceRpm } from '../../src/collectors/rpm.ts'

const fixture = (n: string) => readFileSync(new URL(`../fixtures/${n}`, import.meta.url), 'utf8')

describe('apk installed db', () => {
  it('reads name, version, arch, origin', () => {
    const { packages, errors } = parseApkInstalled(fixture('apk-installed'), {
      id: 'alpine',
      versionId: '3.20.3',
    })
    expect(errors).toEqual([])
    expect(packages.map((p) => [p.name, p.version, p.source?.name])).toEqual([
      ['musl', '1.2.5-r0', 'musl'],
      ['libcrypto3', '3.3.2-r0', 'openssl'],
      ['busybox', '1.36.1-r29', 'busybox'],
    ])
    expect(packages[0]!.purl).toBe('pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3')
  })

  it('keeps the parsable records of a corrupt db and names the bad ones', () => {
    const { packages, errors } = parseApkInstalled(fixture('apk-installed-corrupt'), { id: 'alpine' })
    expect(packages.map((p) => p.name)).toEqual(['zlib', 'curl'])
    expect(errors).toHaveLength(2)
    expect(errors.join('\n')).toMatch(/without V/)
    expect(errors.join('\n')).toMatch(/garbage/)
  })
})

describe('rpm -qa', () => {
  it('parses name, epoch:version-release, arch and the source rpm', () => {
    const { packages, errors } = parseRpmQa(fixture('rpm-qa.txt'), { id: 'rhel', versionId: '9.4' })
    expect(errors).toEqual([])
    expect(packages[0]).toMatchObject({
      name: 'openssl-libs',
      version: '1:3.0.7-27.el9',
      arch: 'x86_64',
      source: { name: 'openssl', version: '3.0.7-27.el9' },
    })
    expect(packages[0]!.purl).toBe(
      'pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1',
    )
    expect(packages[1]).toMatchObject({ name: 'bash', version: '5.1.8-9.el9' })
    expect(packages[2]!.arch).toBeUndefined()
    expect(parseSourceRpm('(none)')).toBeUndefined()
  })
})

describe('os-release', () => {
  it('reads id, version id, codename, pretty name; kernel and arch come from the caller', () => {
    expect(parseOsReleaseFile('A="x \\"y\\""\n# c\nB=\'z\'\n')).toEqual({ A: 'x "y"', B: 'z' })
    const os = osReleaseFrom({
      osReleaseText: fixture('os-release'),
      kernel: '6.1.0-28-amd64',
      arch: 'x86_64',
      platform: 'linux',
    })
    expect(os).toEqual({
      platform: 'linux',
      id: 'debian',
      versionId: '12',
      codename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-28-amd64',
      arch: 'x86_64',
    })
    expect(osReleaseFrom({ osReleaseText: undefined, kernel: 'k', arch: 'a', platform: 'linux' }).id).toBe(
      'linux',
    )
  })
})
