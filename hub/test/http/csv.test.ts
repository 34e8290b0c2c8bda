import { describe, expect, it } from 'vitest'
import { csvCell, toCsv } from '../../src/http/csv.ts'

describe('the CSV writer', () => {
  it('quotes RFC 4180 fields and writes empty cells for null and undefined', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
    expect(csvCell(false)).toBe('false')
    expect(csvCell(0.5)).toBe('0.5')
  })

  it('never writes a cell a spreadsheet would run as a formula', () => {
    for (const f of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(csvCell(f).replace(/^"/, '')[0]).toBe("'")
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
  })

  it('writes a header line and one CRLF-ended line per row', () => {
    const rows = [
      { a: 1, b: 'x' },
      { a: 2, b: null },
    ]
    expect(
      toCsv<{ a: number; b: string | null }>(
        [
          ['a', (r) => r.a],
          ['b', (r) => r.b],
        ],
        rows,
      ),
    ).toBe('a,b\r\n1,x\r\n2,\r\n')
  })
})
