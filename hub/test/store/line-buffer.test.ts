/**
 * The journal's queued lines (line-buffer.ts): a transaction's entries spliced from their pieces
 * (`txLine`) and framed straight into the byte chunks must give exactly the line that framing the JSON
 * of the entries gives (same CRC-32, same bytes), whatever the characters; no byte is lost or reordered
 * across chunks, and a failed round's lines go back in front of those queued since.
 */
import { crc32 } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeLine, txLine } from '../../src/store/journal.ts'
import { LineBuffer } from '../../src/store/line-buffer.ts'

/** The line as the journal framed it before: `<crc32 hex8> <json>\n` over the joined text. */
const framed = (json: string) => `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`

const entry = fc.record({
  id: fc.string({ minLength: 1 }),
  text: fc.string({ unit: 'binary' }),
  n: fc.integer(),
})

describe('LineBuffer', () => {
  it('a line of spliced entries is the framed line of their joined JSON, and decodes to them', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 8 }), (records) => {
        const buffer = new LineBuffer()
        // As Journal.append queues them: three pieces per entry, a comma between entries.
        const pieces = records.flatMap((r, i) => [
          ...(i > 0 ? [','] : ['']),
          '{"c":"things","r":',
          JSON.stringify(r),
          `,"n":${i}}`,
        ])
        const tx = records.length > 1
        buffer.add(txLine(pieces))
        const entries = records.map((r, i) => `{"c":"things","r":${JSON.stringify(r)},"n":${i}}`)
        const json = tx ? `{"tx":[${entries.join(',')}]}` : (entries[0] as string)
        const bytes = buffer.take()
        expect(bytes.toString('utf8')).toBe(framed(json))
        expect(bytes.length).toBe(Buffer.byteLength(framed(json)))
        const decoded = decodeLine(bytes.toString('utf8').slice(0, -1))
        expect(decoded?.map((e) => ('r' in e ? e.r : undefined))).toEqual(records)
      }),
      { numRuns: 200 },
    )
  })

  it('grows past its first size, and puts lines of a failed round back in front, in order', () => {
    const buffer = new LineBuffer()
    const big = 'é'.repeat(20_000)
    buffer.add(JSON.stringify({ a: big }))
    buffer.add('{"b":1}')
    const taken = buffer.take()
    expect(buffer.bytes).toBe(0)
    buffer.add('{"c":2}')
    buffer.restore(taken)
    const lines = buffer.take().toString('utf8').split('\n')
    expect(lines.map((l) => decodeLine(l)?.[0])).toEqual([{ a: big }, { b: 1 }, { c: 2 }, undefined])
  })

  it('queues across chunks without losing or reordering a byte, through takes and failed rounds', () => {
    // Lines from a few bytes to ~600 KB (past a chunk), taken and restored at random, against a text model.
    const op = fc.oneof(
      fc.record({
        add: fc.string({ unit: 'binary', maxLength: 40 }),
        repeat: fc.integer({ min: 1, max: 15_000 }),
      }),
      fc.constant({ take: true as const, fail: false }),
      fc.constant({ take: true as const, fail: true }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const buffer = new LineBuffer()
        let queued = ''
        let written = ''
        for (const o of ops) {
          if ('add' in o) {
            const json = JSON.stringify({ t: o.add.repeat(o.repeat) })
            buffer.add(json)
            queued += framed(json)
          } else {
            const taken = buffer.take()
            expect(taken.toString('utf8')).toBe(queued)
            expect(buffer.bytes).toBe(0)
            if (o.fail) buffer.restore(taken)
            else {
              written += queued
              queued = ''
            }
          }
          expect(buffer.bytes).toBe(Buffer.byteLength(queued))
        }
        expect(written + buffer.take().toString('utf8')).toBe(written + queued)
      }),
      { numRuns: 60 },
    )
  })
})
