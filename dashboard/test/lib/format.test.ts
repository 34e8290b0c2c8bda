import { describe, expect, it } from 'vitest'
import { formatDateTime, formatTime } from '../../src/lib/format.ts'

describe('formatDateTime / formatTime', () => {
  it('print what toLocaleString / toLocaleTimeString print, from one cached formatter', () => {
    for (const at of ['2026-11-28T22:00:05Z', '2024-02-29T00:00:00.999Z', 0, 1_700_000_000_000]) {
      const d = new Date(at)
      expect(formatDateTime(at)).toBe(d.toLocaleString(undefined, { hour12: false }))
      expect(formatTime(at)).toBe(d.toLocaleTimeString(undefined, { hour12: false }))
    }
  })

  it('print a dash for a missing or invalid time', () => {
    expect(formatDateTime(null)).toBe('—')
    expect(formatDateTime(undefined)).toBe('—')
    expect(formatDateTime('not a date')).toBe('—')
    expect(formatTime('not a date')).toBe('—')
  })
})
