import { describe, expect, it } from 'vitest'
import { buildIdentity } from '../../src/collectors/identity.ts'

const os = { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' }

describe('buildIdentity', () => {
  it('reports the CPE and purl the device is configured with, trimmed, so CSAF entries can match them', () => {
    const id = buildIdentity({
      hostname: 'gw-1',
      hardware: {},
      os,
      identity: {
        vendor: 'Siemens',
        model: 'SCALANCE M804PB',
        cpe: '  cpe:2.3:h:siemens:scalance_m804pb:-:*:*:*:*:*:*:*  ',
        purl: 'pkg:generic/siemens/scalance-m804pb@8.0',
      },
    })
    expect(id).toMatchObject({
      cpe: 'cpe:2.3:h:siemens:scalance_m804pb:-:*:*:*:*:*:*:*',
      purl: 'pkg:generic/siemens/scalance-m804pb@8.0',
    })
  })

  it('leaves them out when not configured', () => {
    const id = buildIdentity({ hostname: 'gw-1', hardware: {}, os, identity: {} })
    expect('cpe' in id || 'purl' in id).toBe(false)
  })
})
