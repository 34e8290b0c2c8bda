/**
 * Reading zips entry by entry from a file (yauzl, lazy entries): the archive is never held in memory,
 * the next entry is read only when the caller's handler for the previous one has finished.
 */
import { crc32, inflateRawSync } from 'node:zlib'
import yauzl from 'yauzl'

/** Largest single member read (one OSV record, one CSAF document, one catalog). */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024

/**
 * Members up to this size are inflated in one synchronous call (well under a millisecond for an OSV
 * record of a few KB; a few ms at the bound) instead of through a stream: a zlib stream, a size check
 * stream and their buffers for every one of the 100,000 records of a first sync were most of the
 * hub's own garbage (array buffers swept in every pause) and two thread-pool round trips each.
 */
const INFLATE_SYNC_MAX = 1024 * 1024

export function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  )
}

/** A small member: its stored bytes read raw, inflated at once, checked against its size and CRC-32. */
function readSmall(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const deflated = entry.compressionMethod === 8
    const raw = { decompress: deflated ? false : null, decrypt: null, start: null, end: null }
    zip.openReadStream(entry, raw, (err, stream) => {
      if (err) return reject(err)
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('error', reject)
      stream.on('end', () => {
        try {
          const stored = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
          const body = deflated
            ? inflateRawSync(stored, { maxOutputLength: entry.uncompressedSize + 1 })
            : stored
          if (body.length !== entry.uncompressedSize)
            throw new Error(`${entry.fileName}: ${body.length} bytes, the zip says ${entry.uncompressedSize}`)
          if (crc32(body) !== entry.crc32) throw new Error(`${entry.fileName}: CRC-32 mismatch`)
          resolve(body)
        } catch (e) {
          reject(e)
        }
      })
    })
  })
}

export function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, max = MAX_ENTRY_BYTES): Promise<Buffer> {
  if (
    entry.uncompressedSize <= Math.min(max, INFLATE_SYNC_MAX) &&
    (entry.compressionMethod === 8 || entry.compressionMethod === 0) &&
    !entry.isEncrypted()
  )
    return readSmall(zip, entry)
  return new Promise((resolve, reject) => {
    if (entry.uncompressedSize > max)
      return reject(new Error(`${entry.fileName}: ${entry.uncompressedSize} bytes exceeds ${max}`))
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err)
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('error', reject)
      stream.on('end', () => resolve(Buffer.concat(chunks)))
    })
  })
}

/**
 * Calls `onEntry` for every file member, one after the other; answers the member count. Rejects with
 * the zip's own error (damaged, truncated) or the handler's.
 */
export async function eachEntry(
  file: string,
  onEntry: (name: string, read: () => Promise<Buffer>, total: number) => Promise<void>,
): Promise<number> {
  const zip = await openZip(file)
  const total = zip.entryCount
  return new Promise<number>((resolve, reject) => {
    zip.on('error', reject)
    zip.on('end', () => resolve(total))
    zip.on('entry', (entry: yauzl.Entry) => {
      const run = entry.fileName.endsWith('/')
        ? Promise.resolve()
        : onEntry(entry.fileName, () => readEntry(zip, entry), total)
      run.then(
        () => zip.readEntry(),
        (err) => {
          zip.close()
          reject(err)
        },
      )
    })
    zip.readEntry()
  })
}
