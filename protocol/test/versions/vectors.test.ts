import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { isValidApkVersion } from '../../src/versions/apk.ts'
import { compareVersions } from '../../src/versions/compare.ts'
import type { VersionScheme } from '../../src/versions/types.ts'
import { disagreements, readVectors, VERSIONS_DATA } from './vectors.ts'

const SCALIBR = 'google__osv-scalibr/semantic/testdata/'

/** Vector files per scheme we implement (osv-scalibr's hand-written and generated comparison lists). */
const FILES: Record<string, VersionScheme> = {
  'debian-versions.txt': 'deb',
  'alpine-versions.txt': 'apk',
  'semver-versions.txt': 'semver',
  'pypi-versions.txt': 'pypi',
  'pypi-versions-generated.txt': 'pypi',
  'maven-versions.txt': 'maven',
  'maven-versions-generated.txt': 'maven',
  'nuget-versions.txt': 'nuget',
  'rubygems-versions.txt': 'gem',
  'rubygems-versions-generated.txt': 'gem',
  'packagist-versions.txt': 'composer',
  'packagist-versions-generated.txt': 'composer',
}

describe('compareVersions agrees with every shared vector', () => {
  for (const [file, scheme] of Object.entries(FILES)) {
    it(`${scheme}: ${file}`, () => {
      const vectors = readVectors(SCALIBR + file)
      expect(vectors.length).toBeGreaterThan(10)
      expect(disagreements(vectors, (a, b) => compareVersions(scheme, a, b))).toEqual([])
    })
  }
})

it('composer: osv.dev packagist_test_cases.txt', () => {
  const vectors = readVectors('google__osv.dev/osv/ecosystems/testdata/packagist_test_cases.txt')
  expect(vectors.length).toBeGreaterThan(50)
  expect(disagreements(vectors, (a, b) => compareVersions('composer', a, b))).toEqual([])
})

describe('apk version validity (osv.dev alpine converter fixtures)', () => {
  const list = (name: string): string[] =>
    readFileSync(`${VERSIONS_DATA}google__osv.dev/vulnfeeds/cmd/converters/alpine/fixtures/${name}`, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))

  it('accepts every valid version', () => {
    const valid = list('valid_versions.txt')
    expect(valid.length).toBeGreaterThan(100)
    expect(valid.filter((v) => !isValidApkVersion(v))).toEqual([])
  })

  it('rejects every invalid version', () => {
    const invalid = list('invalid_versions.txt')
    expect(invalid.length).toBeGreaterThan(5)
    expect(invalid.filter((v) => isValidApkVersion(v))).toEqual([])
  })
})
