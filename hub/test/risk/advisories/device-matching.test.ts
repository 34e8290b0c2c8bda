/**
 * Issue 17 point 4 on the real CISA files: multi-model product names, model numbers, vendor prefixes,
 * prose version ranges; CPE/purl on an OASIS example (no CISA file carries one).
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AdvisoryIndex } from '../../../src/risk/advisories/advisory-index.ts'
import { correlate } from '../../../src/risk/advisories/correlate.ts'
import { readFreeText } from '../../../src/risk/advisories/free-text-range.ts'
import { normalizeCsaf } from '../../../src/risk/advisories/normalize/csaf.ts'
import { productNames } from '../../../src/risk/advisories/product-names.ts'
import type { MatchDevice } from '../../../src/risk/advisories/target.ts'
import type { Finding } from '../../../src/risk/advisories/types.ts'
import { basicKey, createVendorMatcher } from '../../../src/risk/advisories/vendor.ts'
import { CISA, OASIS, readJson } from './data.ts'

const vendors = createVendorMatcher()

function indexOf(...paths: string[]): AdvisoryIndex {
  const index = new AdvisoryIndex(vendors)
  for (const p of paths) {
    const r = normalizeCsaf(readJson(p), p, vendors)
    if (!r.ok) throw new Error(r.reason)
    index.upsert(r.advisory)
  }
  return index
}

const device = (vendor: string, model: string, firmware: string, extra: Partial<MatchDevice> = {}) => ({
  vendor,
  model,
  firmware,
  purl: null,
  ...extra,
})
const run = (index: AdvisoryIndex, d: MatchDevice): Finding[] =>
  correlate({ devices: [d], packages: [] }, index)
const tiers = (fs: Finding[]) => [...new Set(fs.map((f) => f.why.tier))]

describe('product names with several models', () => {
  const aleos = indexOf(join(CISA, '2023/icsa-23-026-04.json'))

  it('matches each model of "Airlink Router (MP70, RV50, RV50x, RV55, LX 40, LX60)" as alias', () => {
    for (const model of ['RV50', 'AirLink RV55', 'LX 40', 'MP70']) {
      const fs = run(aleos, device('Sierra Wireless', model, '4.15.0'))
      expect(fs.length, model).toBeGreaterThan(0)
      expect(tiers(fs), model).toEqual(['alias'])
      expect(fs[0]?.why.identified).toMatch(/model listed in "Airlink Router \(MP70/)
    }
  })

  it('finds nothing on the fixed ALEOS 4.16.0 or on a model the advisory does not list', () => {
    expect(run(aleos, device('Sierra Wireless', 'RV50', '4.16.0'))).toEqual([])
    expect(run(aleos, device('Sierra Wireless', 'RV45', '4.15.0'))).toEqual([])
    // ES450 is in the other entry, "<= 4.9.7": 4.9.8 is past it.
    expect(run(aleos, device('Sierra Wireless', 'ES450', '4.9.8'))).toEqual([])
    expect(tiers(run(aleos, device('Sierra Wireless', 'ES450', '4.9.7')))).toEqual(['alias'])
  })

  it('splits "Maximo II CRT-D and ICD" and "Accent/Anthem" into their products', () => {
    expect(productNames('Maximo II CRT-D and ICD').map((n) => n.key)).toEqual(
      expect.arrayContaining(['maximo ii crt d', 'maximo ii icd']),
    )
    expect(productNames('Accent/Anthem').map((n) => n.key)).toEqual(
      expect.arrayContaining(['accent', 'anthem']),
    )
    const medtronic = indexOf(join(CISA, '2019/icsma-19-080-01.json'))
    expect(tiers(run(medtronic, device('Medtronic', 'Maximo II ICD', '1.0')))).toEqual(['alias'])
    expect(run(medtronic, device('Medtronic', 'Maximo III ICD', '1.0'))).toEqual([])
  })
})

describe('abbreviations and space-separated model lists', () => {
  it('reads the abbreviation the tree gives, also when it spells one word ("Database (DB) Manager")', () => {
    const keys = (n: string) => productNames(n).map((x) => x.key)
    expect(keys('Database (DB) Manager')).toContain('db manager')
    expect(keys('MOSCAD IP gateway (IPGW)')).toEqual(expect.arrayContaining(['moscad ipgw', 'ipgw']))
    expect(keys('CARESCAPE Central Station (CSCS)')).toContain('cscs')
    // "(EU)", "(CN)" after a Siemens name are regions, not abbreviations of the words before them.
    expect(keys('SCALANCE M874-3 3G-Router (CN) (6GK5874-3AA00-2FA2)')).not.toContain('cn')
  })

  it('splits "PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs" (ICSMA-18-228-01) into its models', () => {
    const names = productNames('PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs')
    expect(names.map((n) => n.key)).toEqual(
      expect.arrayContaining(['pagewriter tc70', 'pagewriter tc10 cardiographs']),
    )
    expect(names.find((n) => n.key === 'pagewriter tc70')?.tier).toBe('alias')
  })

  it('splits "MRD-315 MRD-355 MRD-455" (ICSA-17-236-01, found by the held-out corpus) into its models', () => {
    const names = productNames('MRD-315 MRD-355 MRD-455')
    expect(names.find((n) => n.key === basicKey('MRD-355'))?.tier).toBe('alias')
    expect(names.map((n) => n.key)).not.toContain(basicKey('MRD-335'))
  })
})

describe('model numbers in product_identification_helper (ICSA-23-348-14, Siemens SCALANCE)', () => {
  const siemens = indexOf(join(CISA, '2023/icsa-23-348-14.json'))

  it('a device reporting the order number as its model is exact', () => {
    const fs = run(siemens, device('Siemens', '6GK5804-0AP00-2AA2', 'V7.2'))
    expect(tiers(fs)).toEqual(['exact'])
    expect(fs[0]?.why.identified).toMatch(/model number/)
  })

  it('the name without its order number is alias; the name as written is exact', () => {
    expect(tiers(run(siemens, device('Siemens', 'SCALANCE M804PB', 'V7.2')))).toEqual(['alias'])
    expect(tiers(run(siemens, device('Siemens', 'SCALANCE M804PB (6GK5804-0AP00-2AA2)', 'V7.2')))).toEqual([
      'exact',
    ])
  })

  it('a model the name only contains ("SCALANCE S615" in "SCALANCE S615 EEC") is never lost', () => {
    const fs = run(siemens, device('Siemens', 'SCALANCE S615', 'V7.2'))
    expect(fs.length).toBeGreaterThan(0)
  })
})

describe('vendor prefix on either side (ICSMA-23-194-01, "BD Alaris Point-of-Care Unit (PCU) Model 8015")', () => {
  const bd = indexOf(join(CISA, '2023/icsma-23-194-01.json'))

  it('matches with and without "BD" and with the abbreviation, as alias', () => {
    for (const model of [
      'Alaris Point-of-Care Unit (PCU) Model 8015',
      'Alaris PCU Model 8015',
      'BD Alaris PCU',
    ])
      expect(tiers(run(bd, device('BD', model, '12.1.3'))), model).toEqual(['alias'])
    expect(tiers(run(bd, device('BD', 'BD Alaris Point-of-Care Unit (PCU) Model 8015', '12.1.3')))).toEqual([
      'exact',
    ])
  })

  it('nothing on 12.1.4, or for another vendor with the same model name', () => {
    expect(run(bd, device('BD', 'Alaris PCU Model 8015', '12.1.4'))).toEqual([])
    expect(run(bd, device('Baxter', 'Alaris PCU Model 8015', '12.1.3'))).toEqual([])
  })
})

describe('prose version ranges', () => {
  it('reads the unambiguous phrasings and says how', () => {
    expect(readFreeText('all versions prior to 4.12')?.read).toBe('< 4.12')
    expect(readFreeText('versions 2.0 through 2.3')?.read).toBe('>= 2.0 and <= 2.3')
    expect(readFreeText('4.x')?.read).toBe('>= 4 and < 5')
    // Real CISA expressions (ICSMA-19-164-01, ICSMA-18-128-01, ICSMA-20-170-02)
    expect(readFreeText('2.3.6 and  below')?.read).toBe('<= 2.3.6')
    expect(readFreeText('<= 2.01 (end-of-life Nov 2017)')).toMatchObject({
      read: '<= 2.01',
      remark: 'end-of-life Nov 2017',
    })
    expect(readFreeText('< 3.x')?.read).toBe('< 3')
    for (const t of ['< august 28', 'distributed  < april 1, 2018', 'A10 < A11', 'Rev B-M', '<8/30/2024'])
      expect(readFreeText(t), t).toBeNull()
  })

  it('a device inside a prose range is review with the reading; past it, nothing', () => {
    const index = indexOf(join(CISA, '2019/icsma-19-164-01.json'))
    const [entry] = [...index.all()].flatMap((a) => a.products.filter((p) => p.freeText))
    expect(entry).toBeDefined()
    if (entry === undefined) return
    const inside = run(index, device(entry.vendor, entry.product, '2.3.5'))
    expect(inside.length).toBeGreaterThan(0)
    expect(inside.every((f) => f.confidence === 'review' && f.why.tier === 'review')).toBe(true)
    expect(inside[0]?.why.reason).toMatch(/is prose, read as "<= 2\.3\.6"/)
    expect(run(index, device(entry.vendor, entry.product, '2.3.7'))).toEqual([])
  })

  it('reads one-letter revisions ("<= K", ICSMA-19-297-01) alphabetically: J is review, L is past it', () => {
    const index = indexOf(join(CISA, '2019/icsma-19-297-01.json'))
    const j = run(index, device('Philips', 'IntelliSpace Perinatal', 'J'))
    expect(tiers(j)).toEqual(['review'])
    expect(j[0]?.why.reason).toMatch(/read as "<= revision K/)
    expect(run(index, device('Philips', 'IntelliSpace Perinatal', 'L'))).toEqual([])
    expect(tiers(run(index, device('Philips', 'IntelliSpace Perinatal', 'J.1')))).toEqual(['review'])
  })

  it('an unreadable expression stays review for every firmware (ICSMA-17-241-01, "< august 28")', () => {
    const index = indexOf(join(CISA, '2017/icsma-17-241-01.json'))
    const fs = run(index, device('Abbott', 'Accent/Anthem', '1.0'))
    expect(fs.length).toBeGreaterThan(0)
    expect(tiers(fs)).toEqual(['review'])
  })
})

describe('devices reporting their own CPE or purl (OASIS bsi-2022-0001)', () => {
  const bsi = indexOf(join(OASIS, 'examples/csaf/bsi-2022-0001.json'))

  it('matches by CPE whatever the model says, and the tree version still decides', () => {
    const fs = run(
      bsi,
      device('', '', '1.0.0-dev1', { cpe: 'cpe:/a:csaf-tools:cvrf-csaf-converter:1.0.0-dev1' }),
    )
    expect(fs.length).toBeGreaterThan(0)
    expect(tiers(fs)).toEqual(['exact'])
    expect(fs[0]?.why.identified).toMatch(/^CPE /)
    // The same CPE as a 2.3 string, its version standing in for a missing firmware.
    const v23 = run(
      bsi,
      device('', '', '', { cpe: 'cpe:2.3:a:csaf-tools:cvrf-csaf-converter:1.0.0-dev1:*:*:*:*:*:*:*' }),
    )
    expect(v23.length).toBeGreaterThan(0)
    expect(run(bsi, device('', '', '1.0.0', { cpe: 'cpe:/a:other:cvrf-csaf-converter' }))).toEqual([])
  })
})
