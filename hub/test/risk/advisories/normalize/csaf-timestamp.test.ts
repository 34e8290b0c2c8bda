import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { mandatoryChecks } from '../../../../src/risk/advisories/normalize/csaf-checks.ts'
import { compareTimestamps } from '../../../../src/risk/advisories/normalize/csaf-timestamp.ts'
import { OASIS, readJson } from '../data.ts'

const MANDATORY = join(OASIS, 'test/validator/data/mandatory')
type Json = any

describe('compareTimestamps (full precision)', () => {
  it('orders below the millisecond, where Date.parse ties', () => {
    const a = '2021-07-21T10:00:00.000Z'
    const b = '2021-07-21T10:00:00.00010Z'
    expect(Date.parse(a)).toBe(Date.parse(b))
    expect(compareTimestamps(a, b)).toBe(-1)
    expect(compareTimestamps(b, a)).toBe(1)
    expect(compareTimestamps('2021-07-21T10:00:00.123456789Z', '2021-07-21T10:00:00.123456788Z')).toBe(1)
  })

  it('treats trailing zeros, missing fractions and offsets as the same instant', () => {
    expect(compareTimestamps('2021-07-21T10:00:00Z', '2021-07-21T10:00:00.000000Z')).toBe(0)
    expect(compareTimestamps('2021-07-21T12:00:00.5+02:00', '2021-07-21T10:00:00.50Z')).toBe(0)
    expect(compareTimestamps('2021-07-21T09:30:00-01:00', '2021-07-21T10:00:00Z')).toBe(1)
  })
})

describe('CSAF 6.1.14 Sorted Revision History at full precision', () => {
  const base = (): Json => readJson(join(MANDATORY, 'oasis_csaf_tc-csaf_2_0-2021-6-1-14-19.json'))

  it('still passes OASIS 6.1.14-19 (two revisions 0.1 µs apart, in order)', () => {
    expect(mandatoryChecks(base())).toBeNull()
  })

  it('fails when the later revision number carries the earlier sub-millisecond date', () => {
    const doc = base()
    const [first, second] = doc.document.tracking.revision_history
    // 2 dated 10:00:00.000, 1 dated 10:00:00.0001: sorted by date, 2 precedes 1.
    first.number = '2'
    second.number = '1'
    doc.document.tracking.version = '1'
    expect(mandatoryChecks(doc)).toMatch(/^6\.1\.14 /)
  })

  it('breaks a true tie (same instant, other spelling) by revision number', () => {
    const doc = base()
    const [first, second] = doc.document.tracking.revision_history
    first.date = '2021-07-21T12:00:00.0001+02:00'
    second.date = '2021-07-21T10:00:00.00010Z'
    doc.document.tracking.current_release_date = second.date
    expect(mandatoryChecks(doc)).toBeNull()
    // Listed out of order in the file: the tie is still broken by number, so nothing fails.
    doc.document.tracking.revision_history.reverse()
    expect(mandatoryChecks(doc)).toBeNull()
  })
})
