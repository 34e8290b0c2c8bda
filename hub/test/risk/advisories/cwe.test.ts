import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CWE, checkCwe } from '../../../src/risk/advisories/cwe/catalogue.ts'
import { CweXmlError, mergeCweXml, serializeCweCatalogue } from '../../../src/risk/advisories/cwe/merge.ts'
import { normalizeCsaf } from '../../../src/risk/advisories/normalize/csaf.ts'
import { createVendorMatcher } from '../../../src/risk/advisories/vendor.ts'
import { CISA, readJson } from './data.ts'

const XSS = "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"
type Doc = any

/** A real CISA advisory (ICSMA-19-120-01) whose first vulnerability is CWE-79, with its CWE changed. */
function withCwe(cwe: { id: string; name: string }): Doc {
  const doc = readJson(join(CISA, '2019/icsma-19-120-01.json')) as Doc
  expect(doc.vulnerabilities[0].cwe).toEqual({ id: 'CWE-79', name: XSS })
  doc.vulnerabilities[0].cwe = cwe
  return doc
}

describe('CWE catalogue', () => {
  it('knows current and past names of a weakness', () => {
    expect(CWE.latest.version).toBe('4.17')
    expect(Object.keys(CWE.names).length).toBeGreaterThan(900)
    expect(checkCwe('CWE-79', XSS)).toEqual({ ok: true })
    // CWE-79's name in CWE 1.x–2.x, as an advisory of that time would write it.
    expect(checkCwe('CWE-79', "Failure to Preserve Web Page Structure ('Cross-site Scripting')")).toEqual({
      ok: true,
    })
    expect(checkCwe('CWE-79', 'Improper Input Validation')).toEqual({
      ok: false,
      unknownId: false,
      expected: XSS,
    })
    expect(checkCwe('CWE-999999', 'Anything')).toEqual({ ok: false, unknownId: true })
  })

  it('CSAF test 6.1.11 refuses a wrong name and says which name the id has', () => {
    const r = normalizeCsaf(
      withCwe({ id: 'CWE-79', name: 'Improper Input Validation' }),
      'x',
      createVendorMatcher(),
    )
    expect(r).toMatchObject({
      ok: false,
      reason: `CSAF mandatory test 6.1.11 (CWE): vulnerabilities/0: CWE-79 is named "${XSS}" in CWE 4.17, not "Improper Input Validation"`,
    })
  })

  it('accepts an older name, and an id newer than the catalogue with a note instead of a refusal', () => {
    const old = normalizeCsaf(
      withCwe({ id: 'CWE-79', name: "Failure to Preserve Web Page Structure ('Cross-site Scripting')" }),
      'x',
      createVendorMatcher(),
    )
    expect(old.ok).toBe(true)
    const newer = normalizeCsaf(
      withCwe({ id: 'CWE-99999', name: 'A weakness from CWE 9.0' }),
      'x',
      createVendorMatcher(),
    )
    if (!newer.ok) throw new Error(newer.reason)
    expect(newer.notes).toContain(
      'ICSMA-19-120-01: CWE-99999 is not in the bundled CWE catalogue (1.0-4.17): its name was not checked (test 6.1.11)',
    )
  })
})

describe('merging MITRE CWE XML', () => {
  const xml = (version: string, weaknesses: string) => `<?xml version="1.0" encoding="UTF-8"?>
<Weakness_Catalog Name="CWE" Version="${version}" Date="2026-09-09" xmlns="http://cwe.mitre.org/cwe-7">
  <Weaknesses>${weaknesses}</Weaknesses>
</Weakness_Catalog>`

  it('adds new weaknesses, puts a new name first and keeps the old ones', () => {
    const merged = mergeCweXml(
      CWE,
      xml(
        '4.18',
        `<Weakness ID="79" Name="Cross-site Scripting &amp; friends" Abstraction="Base" Status="Stable"><Description>x</Description></Weakness>
         <Weakness ID="99999" Name="Use of &#x201C;Quotes&#x201D; &lt;here&gt;" Abstraction="Base" Status="Draft"/>`,
      ),
    )
    expect(merged.latest).toEqual({ version: '4.18', date: '2026-09-09' })
    expect(merged.versions).toBe('1.0-4.18')
    expect(merged.names['CWE-79']?.slice(0, 2)).toEqual(['Cross-site Scripting & friends', XSS])
    expect(merged.names['CWE-99999']).toEqual(['Use of \u201cQuotes\u201d <here>'])
    expect(checkCwe('CWE-79', XSS, merged)).toEqual({ ok: true })
    expect(CWE.names['CWE-99999']).toBeUndefined() // the bundled catalogue is not modified
    expect(JSON.parse(serializeCweCatalogue(merged))).toEqual(merged)
  })

  it('an older catalogue only adds names, never reorders', () => {
    const merged = mergeCweXml(CWE, xml('1.0', `<Weakness ID="79" Name="XSS of old"/>`))
    expect(merged.latest).toEqual(CWE.latest)
    expect(merged.names['CWE-79']?.[0]).toBe(XSS)
    expect(merged.names['CWE-79']?.at(-1)).toBe('XSS of old')
  })

  it('refuses files that are not a CWE catalogue', () => {
    expect(() => mergeCweXml(CWE, '<html></html>')).toThrow(CweXmlError)
    expect(() => mergeCweXml(CWE, xml('4.18', ''))).toThrow(/no weaknesses/)
    expect(() => mergeCweXml(CWE, xml('4.18', '<Weakness ID="x79" Name="n"/>'))).toThrow(/malformed/)
    expect(() => mergeCweXml(CWE, '<Weakness_Catalog Name="CWE"><Weakness ID="1" Name="n"/>')).toThrow(
      /Version/,
    )
  })

  it('the bundled file is in the serialised form (regenerating it changes nothing)', async () => {
    const { readFileSync } = await import('node:fs')
    const file = new URL('../../../src/risk/advisories/cwe/catalogue.json', import.meta.url)
    expect(readFileSync(file, 'utf8')).toBe(serializeCweCatalogue(CWE))
  })
})
