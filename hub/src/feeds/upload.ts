/**
 * Advisory files handed to a running hub (the dashboard's "Import advisories", `vigil-hub import`
 * against a running hub): CSAF / OSV JSON, a KEV catalog, an EPSS CSV (plain or gzip), or a zip of
 * those. Each goes through the hub's advisory intake, so it reaches correlation at once; results are
 * per file (per member for a zip, aggregated in chunks for a large one).
 */
import { randomUUID } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { AdvisoryFilesResult } from '@vigil/protocol'
import type { ImportSummary, ImportText } from '../risk/advisories/index.js'
import type { AdvisoryIntake } from './service.js'
import { IMPORT_CHUNK, yieldLoop } from './sync-context.js'
import { eachEntry } from './zip.js'

type FileResult = AdvisoryFilesResult['files'][number]

const MAX_PLAIN_BYTES = 256 * 1024 * 1024
/** Zips with more members than this are reported per chunk, not per member. */
const PER_MEMBER_LIMIT = 200

function resultOf(name: string, s: ImportSummary): FileResult {
  const refused = s.rejected[0]?.reason
  return {
    name,
    imported: s.imported,
    updated: s.updated,
    skipped: s.skipped.map((x) => x.reason),
    ...(refused !== undefined ? { refused } : {}),
    kev: s.kev.size,
    epss: s.epss.size,
  }
}

function plain(name: string, data: Buffer): ImportText {
  if (data[0] === 0x1f && data[1] === 0x8b)
    return {
      file: name.replace(/\.gz$/i, ''),
      text: gunzipSync(data, { maxOutputLength: MAX_PLAIN_BYTES }).toString('utf8'),
    }
  return { file: name, text: data.toString('utf8') }
}

async function importZip(
  name: string,
  data: Buffer,
  intake: AdvisoryIntake,
  tempDir: string,
): Promise<FileResult[]> {
  const file = join(tempDir, `upload-${randomUUID()}.zip`)
  await writeFile(file, data)
  const out: FileResult[] = []
  let batch: ImportText[] = []
  let first = 0
  let perMember = true
  const flush = async () => {
    if (batch.length === 0) return
    const s = await intake.importTexts(batch)
    const label = `${name} (members ${first + 1}–${first + batch.length})`
    out.push({
      ...resultOf(label, s),
      ...(s.rejected.length > 0
        ? { refused: `${s.rejected.length} refused, first: ${s.rejected[0]?.file}: ${s.rejected[0]?.reason}` }
        : {}),
    })
    first += batch.length
    batch = []
    await yieldLoop()
  }
  try {
    await eachEntry(file, async (member, read, total) => {
      if (!/\.(json|csv|gz)$/i.test(member)) return
      perMember = total <= PER_MEMBER_LIMIT
      const text = plain(`${name}/${member}`, await read())
      if (perMember) {
        out.push(resultOf(`${name}/${member}`, await intake.importTexts([text])))
        return
      }
      batch.push(text)
      if (batch.length >= IMPORT_CHUNK) await flush()
    })
    await flush()
  } catch (err) {
    out.push({
      name,
      imported: [],
      updated: [],
      skipped: [],
      refused: `not a readable zip: ${(err as Error).message}`,
      kev: 0,
      epss: 0,
    })
  } finally {
    await rm(file, { force: true })
  }
  return out
}

export async function importFiles(
  files: { name: string; data: Buffer }[],
  intake: AdvisoryIntake,
  tempDir: string,
): Promise<AdvisoryFilesResult> {
  const results: FileResult[] = []
  for (const f of files) {
    const name = f.name.replace(/^.*[\\/]/, '')
    if (f.data[0] === 0x50 && f.data[1] === 0x4b) {
      results.push(...(await importZip(name, f.data, intake, tempDir)))
      continue
    }
    let text: ImportText
    try {
      text = plain(name, f.data)
    } catch (err) {
      results.push({
        name,
        imported: [],
        updated: [],
        skipped: [],
        refused: `not readable gzip: ${(err as Error).message}`,
        kev: 0,
        epss: 0,
      })
      continue
    }
    results.push(resultOf(name, await intake.importTexts([text])))
  }
  return {
    files: results,
    imported: results.reduce((n, r) => n + r.imported.length, 0),
    updated: results.reduce((n, r) => n + r.updated.length, 0),
    refused: results.filter((r) => r.refused !== undefined).length,
    advisories: intake.advisoryCount,
  }
}
