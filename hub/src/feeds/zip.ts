/**
 * Reading zips entry by entry from a file (yauzl, lazy entries): the archive is never held in memory,
 * the next entry is read only when the caller's handler for the previous one has finished.
 */
import yauzl from 'yauzl'

/** Largest single member read (one OSV record, one CSAF document, one catalog). */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024

export function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  )
}

export function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, max = MAX_ENTRY_BYTES): Promise<Buffer> {
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
