import { existsSync, readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { hubSlug } from '../../src/cli/simulate.ts'
import { writeCredentials } from '../../src/credentials.ts'
import { DEFAULT_BASELINE } from '../../src/hardening/default-baseline.ts'
import { runBaseline } from '../../src/hardening/run.ts'
import { BUILTIN_PROFILES, loadCatalog, profilesFromCsaf, versionsFor } from '../../src/simulate/catalog.ts'
import { SimulateError, startFleet } from '../../src/simulate/fleet.ts'
import { buildImages, olderVersion } from '../../src/simulate/images.ts'
import { gatewayFiles, virtualCheckEnv } from '../../src/simulate/virtual-env.ts'
import { tempDir, testCredentials } from '../helpers/setup.ts'

const csafDoc = {
  document: { tracking: { id: 'ICSA-00-000-00' } },
  product_tree: {
    branches: [
      {
        category: 'vendor',
        name: 'Sierra Wireless',
        branches: [
          {
            category: 'product_name',
            name: 'AirLink Raven XE',
            branches: [{ category: 'product_version_range', name: '< 4.0.14' }],
          },
          {
            category: 'product_name',
            name: 'AirLink GX',
            branches: [{ category: 'product_version', name: '4.4.5' }],
          },
          {
            category: 'product_name',
            name: 'Odd',
            branches: [{ category: 'product_version_range', name: 'vers:generic/>=1|<2' }],
          },
        ],
      },
    ],
  },
}

describe('simulate: device catalog from CSAF', () => {
  it('derives a firmware version inside the range and one outside', () => {
    expect(versionsFor('product_version_range', '< 4.0.14')).toEqual({ affected: '4.0.13', fixed: '4.0.14' })
    expect(versionsFor('product_version_range', '<= 2.0.14.0')).toEqual({
      affected: '2.0.14.0',
      fixed: '2.0.14.1',
    })
    expect(versionsFor('product_version_range', '< 012U000040')).toEqual({
      affected: '012U000039',
      fixed: '012U000040',
    })
    expect(versionsFor('product_version_range', 'vers:all/*')).toEqual({ affected: '1.0.0' })
    expect(versionsFor('product_version', '4.4.5')).toEqual({ affected: '4.4.5' })
  })
  it('walks vendor → product → version branches', () => {
    expect(profilesFromCsaf(csafDoc, 'ICSA-00-000-00')).toEqual([
      {
        vendor: 'Sierra Wireless',
        model: 'AirLink Raven XE',
        affected: '4.0.13',
        fixed: '4.0.14',
        advisory: 'ICSA-00-000-00',
      },
      { vendor: 'Sierra Wireless', model: 'AirLink GX', affected: '4.4.5', advisory: 'ICSA-00-000-00' },
    ])
  })
  it('ships the profiles of the CISA advisories in testdata/, so simulate reads nothing beside the package', async () => {
    // After a change to the extraction: regenerate src/simulate/device-profiles.json from loadCatalog.
    const fromData = await loadCatalog(
      fileURLToPath(new URL('../../../testdata/csaf-cisa/', import.meta.url)),
    )
    expect(fromData.length).toBeGreaterThan(100)
    expect(BUILTIN_PROFILES).toEqual(fromData)
  })
})

describe('simulate: gateway images', () => {
  const status = readFileSync(new URL('../fixtures/dpkg-status', import.meta.url), 'utf8')
  const os = { platform: 'linux', id: 'debian', versionId: '12', kernel: '6.1.0', arch: 'x86_64' }
  it('builds a few distinct images from a real package list', () => {
    const images = buildImages(status, os)
    expect(images.map((i) => i.name)).toEqual(['base', 'behind', 'slim', 'edge'])
    const openssl = (name: string) =>
      images.find((i) => i.name === name)?.parse.packages.find((p) => p.name === 'openssl')
    expect(openssl('base')?.version).toBe('3.0.17-1~deb12u2')
    expect(openssl('behind')?.version).toBe('3.0.17-1~deb12u1')
    expect(openssl('behind')?.purl).toBe(
      'pkg:deb/debian/openssl@3.0.17-1~deb12u1?arch=amd64&distro=debian-12',
    )
    expect(olderVersion('2.36-9+deb12u10')).toBe('2.36-9+deb12u8')
  })
  it('gives virtual gateways a file tree the default baseline can check', async () => {
    const weak = await runBaseline(
      DEFAULT_BASELINE,
      virtualCheckEnv(gatewayFiles({ rootLogin: true, telnet: true, forwarding: true })),
    )
    const strong = await runBaseline(
      DEFAULT_BASELINE,
      virtualCheckEnv(gatewayFiles({ rootLogin: false, telnet: false, forwarding: false })),
    )
    const failing = (r: typeof weak) => r.filter((x) => x.status !== 'pass').map((x) => x.id)
    expect(failing(strong)).toEqual([])
    expect(failing(weak)).toEqual(['ssh-root-login', 'sysctl-ip-forward', 'telnet-absent', 'listening-ports'])
  })
})

describe('simulate: reused gateways belong to the hub asked for', () => {
  const status = readFileSync(new URL('../fixtures/dpkg-status', import.meta.url), 'utf8')
  const os = { platform: 'linux', id: 'debian', versionId: '12', kernel: '6.1.0', arch: 'x86_64' }

  it('refuses gateways enrolled with another hub before enrolling any', async () => {
    const baseDir = await tempDir()
    await mkdir(join(baseDir, 'gw-0001'), { recursive: true })
    await writeCredentials(join(baseDir, 'gw-0001'), testCredentials('mqtt://127.0.0.1:39793'))
    const run = startFleet({
      count: 3,
      hubUrl: 'http://127.0.0.1:8081',
      token: 'unused',
      baseDir,
      images: buildImages(status, os),
      profiles: BUILTIN_PROFILES,
      telemetryIntervalSec: 10,
    })
    await expect(run).rejects.toThrow(
      /gateways under .* were enrolled with http:\/\/127\.0\.0\.1:47, not http:\/\/127\.0\.0\.1:8081/,
    )
    await expect(run).rejects.toBeInstanceOf(SimulateError)
    expect(existsSync(join(baseDir, 'gw-0002'))).toBe(false)
  })

  it('keeps one default state directory per hub', () => {
    expect(hubSlug('http://127.0.0.1:8080/')).toBe('127.0.0.1_8080')
    expect(hubSlug('https://hub.example')).toBe('hub.example')
    expect(hubSlug('http://127.0.0.1:8080')).not.toBe(hubSlug('http://127.0.0.1:8081'))
  })
})
