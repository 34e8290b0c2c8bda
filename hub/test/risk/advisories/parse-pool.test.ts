import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importTexts } from '../../../src/risk/advisories/import.ts'
import { ParsePool } from '../../../src/risk/advisories/parse-pool.ts'
import { prepare } from '../../../src/risk/advisories/prepare.ts'
import { DEBIAN_DB } from '../register/fixtures.ts'
import { CISA } from './data.ts'

const osvTexts = readdirSync(DEBIAN_DB)
  .filter((n) => n.endsWith('.json'))
  .map((n) => ({ file: n, text: readFileSync(join(DEBIAN_DB, n), 'utf8') }))
const csaf = { file: 'csaf.json', text: readFileSync(join(CISA, '2018/icsma-18-025-01.json'), 'utf8') }
const odd = [
  { file: 'broken.json', text: '{"id": ' },
  { file: 'deep.json', text: `${'['.repeat(100)}${']'.repeat(100)}` },
  { file: 'schema.json', text: '{"$schema":"https://json-schema.org/draft/2020-12/schema"}' },
  { file: 'bad-osv.json', text: '{"id":"X-1","modified":"yesterday"}' },
]

describe('parse pool (OSV records off the event loop)', () => {
  it('prepares in its worker thread exactly what the hub thread would', async () => {
    const pool = new ParsePool()
    try {
      const all = [...osvTexts, csaf, ...odd]
      const out = await pool.prepare(all, 64)
      // undefined would mean the worker did not run (and the importer fell back to its own thread)
      expect(out).toBeDefined()
      expect(out).toEqual(all.map((t) => prepare(t.file, t.text, 64)))
      expect(out?.map((p) => p.t)).toEqual([
        ...osvTexts.map(() => 'osv'),
        'main', // CSAF needs the hub's vendor aliases: left to the importer
        'rejected',
        'rejected',
        'schema',
        'rejected',
      ])
    } finally {
      await pool.close()
    }
  })

  it('an import through the pool reports what one without it reports', async () => {
    const pool = new ParsePool()
    try {
      const texts = [...osvTexts, csaf, ...odd, { file: 'x.csv', text: 'not epss' }]
      const strip = (s: Awaited<ReturnType<typeof importTexts>>) => ({
        imported: s.imported,
        updated: s.updated,
        skipped: s.skipped,
        rejected: s.rejected,
        notes: s.notes,
        ids: [...(s.index?.all() ?? [])].map((a) => a),
      })
      expect(strip(await importTexts(texts, { pool }))).toEqual(strip(await importTexts(texts)))
    } finally {
      await pool.close()
    }
  })
})
