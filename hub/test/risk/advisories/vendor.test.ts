import { describe, expect, it } from 'vitest'
import { basicKey, createVendorMatcher } from '../../../src/risk/advisories/vendor.ts'
import { cisaFiles, readJson } from './data.ts'

interface Branch {
  category: string
  name: string
  branches?: Branch[]
}

function vendorsInCisa(): string[] {
  const names = new Set<string>()
  for (const f of cisaFiles()) {
    const doc = readJson(f) as { product_tree: { branches?: Branch[] } }
    for (const b of doc.product_tree.branches ?? []) if (b.category === 'vendor') names.add(b.name)
  }
  return [...names]
}

describe('vendor normalisation', () => {
  const v = createVendorMatcher()

  it('matches the acronym in parentheses and the full name', () => {
    expect(v.same('Becton, Dickinson and Company (BD)', 'BD')).toBe(true)
    expect(v.same('Becton Dickinson', 'bd')).toBe(true)
    expect(v.same('General Electric (GE)', 'GE')).toBe(true)
    expect(v.same('Natus Medical, Inc. (Natus)', 'Natus')).toBe(true)
  })

  it('ignores case, punctuation and legal suffixes', () => {
    expect(v.same('i-SENS Inc', 'I-SENS')).toBe(true)
    expect(v.same('SOOIL Developments Co, Ltd.', 'Sooil Developments')).toBe(true)
    expect(v.same('Hamilton Medical AG', 'hamilton medical')).toBe(true)
    expect(v.same('Ricon Mobile, Inc.', 'RICON MOBILE')).toBe(true)
    expect(v.same('B. Braun Melsungen AG', 'B. Braun')).toBe(true)
    expect(v.same('Dräger', 'Draeger')).toBe(true)
  })

  it('knows the real misspelling "Phillips" from the CISA data', () => {
    const names = vendorsInCisa()
    expect(names).toContain('Phillips')
    expect(names).toContain('Philips')
    expect(v.same('Phillips', 'Philips')).toBe(true)
  })

  it('an advisory naming several vendors matches each of them', () => {
    const many = 'ENEA, Green Hills Software, ITRON, IP Infusion, and Wind River'
    expect(v.same(many, 'Wind River Systems, Inc.')).toBe(false)
    expect(v.same(many, 'Wind River')).toBe(true)
    expect(v.same(many, 'Green Hills Software')).toBe(true)
    expect(v.same('Silex Technology and GE Healthcare', 'GE Healthcare')).toBe(true)
    expect(v.same('BMC Medical, 3B Medical', '3B Medical')).toBe(true)
    expect(v.canonical('Becton, Dickinson and Company (BD)')).toBe('bd')
  })

  it('keeps different vendors apart', () => {
    expect(v.same('Philips', 'Siemens')).toBe(false)
    expect(v.same('GE Healthcare', 'Baxter')).toBe(false)
    expect(v.same('Becton, Dickinson and Company (BD)', 'Medtronic')).toBe(false)
  })

  it('gives every vendor named in the CISA advisories a non-empty key', () => {
    for (const name of vendorsInCisa()) expect(v.canonical(name), name).not.toBe('')
  })

  it('takes operator aliases', () => {
    const custom = createVendorMatcher({ 'Acme Medical Systems GmbH': 'Acme' })
    expect(custom.same('Acme Medical Systems', 'ACME Inc.')).toBe(true)
    expect(v.same('Acme Medical Systems', 'ACME Inc.')).toBe(false)
    expect(basicKey('  Foo,  Bar.  ')).toBe('foo bar')
  })
})
