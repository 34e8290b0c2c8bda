import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import yazl from 'yazl'
import { eachEntry } from '../../src/feeds/zip.ts'
import { tempDir } from '../helpers.ts'

async function zipFile(entries: { name: string; body: Buffer; compress?: boolean }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  for (const e of entries) zip.addBuffer(e.body, e.name, { compress: e.compress ?? true })
  zip.end()
  const chunks: Buffer[] = []
  for await (const c of zip.outputStream) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

async function readAll(bytes: Buffer): Promise<Map<string, Buffer>> {
  const file = join(await tempDir(), 'test.zip')
  await writeFile(file, bytes)
  const out = new Map<string, Buffer>()
  await eachEntry(file, async (name, read) => {
    out.set(name, await read())
  })
  return out
}

describe('zip members', () => {
  it('reads deflated and stored small members, and a large one streamed, byte for byte', async () => {
    const record = Buffer.from(JSON.stringify({ id: 'DLA-1-1', details: 'x'.repeat(5000) }))
    const stored = Buffer.from('{"id":"stored"}')
    const large = Buffer.concat([randomBytes(700_000), Buffer.alloc(700_000, 'a')]) // over the 1 MiB bound
    const got = await readAll(
      await zipFile([
        { name: 'a/DLA-1-1.json', body: record },
        { name: 'b/stored.json', body: stored, compress: false },
        { name: 'c/large.bin', body: large },
        { name: 'd/empty.json', body: Buffer.alloc(0) },
      ]),
    )
    expect(got.get('a/DLA-1-1.json')?.equals(record)).toBe(true)
    expect(got.get('b/stored.json')?.equals(stored)).toBe(true)
    expect(got.get('c/large.bin')?.equals(large)).toBe(true)
    expect(got.get('d/empty.json')?.length).toBe(0)
  })

  it('a small member whose bytes were altered is refused (CRC-32), not handed on', async () => {
    const body = Buffer.from('{"id":"GHSA-0000-0000-0000","summary":"unique-marker"}')
    const bytes = await zipFile([{ name: 'x.json', body, compress: false }])
    const at = bytes.indexOf('unique-marker')
    expect(at).toBeGreaterThan(0)
    bytes[at] = 'U'.charCodeAt(0)
    await expect(readAll(bytes)).rejects.toThrow(/CRC-32 mismatch/)
  })

  it('a deflated member whose data is damaged is refused', async () => {
    const body = Buffer.from(JSON.stringify({ id: 'DLA-2-1', details: 'lorem ipsum '.repeat(400) }))
    const bytes = await zipFile([{ name: 'y.json', body }])
    // the member's deflated data starts after the 30-byte local header and the name
    for (let i = 30 + 'y.json'.length + 2; i < 30 + 'y.json'.length + 12; i++)
      bytes[i] = (bytes[i] ?? 0) ^ 0xff
    await expect(readAll(bytes)).rejects.toThrow()
  })
})
