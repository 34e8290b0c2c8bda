import { describe, expect, it } from 'vitest'
import { importIntoDataDir } from '../../../src/risk/correlation/import-cli.ts'
import { tempDir } from '../../helpers.ts'
import { KEV, LINTER } from '../advisories/data.ts'

describe('vigil-hub import into the data directory', () => {
  it('shows progress on a terminal and prints imported, rejected with reasons, and the KEV catalog; exit 1', async () => {
    const out: string[] = []
    const err: string[] = []
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), isTTY: true }
    const code = await importIntoDataDir(['import', LINTER, KEV], { dataDir: await tempDir() }, io)
    expect(code).toBe(1)
    const text = out.join('')
    expect(text).toMatch(/imported: \d+/)
    expect(text).toMatch(/rejected: 2/)
    expect(text).toMatch(/rejected .*nondistinct-CVE-2018-5407\.json: OSV: .*not distinct/)
    expect(text).toMatch(/KEV catalog/)
    expect(err.join('')).toMatch(/\[#+\] \d+\/\d+/)
  })

  it('exits 2 with the usage when no path is given', async () => {
    const err: string[] = []
    const io = { stdout: () => {}, stderr: (t: string) => err.push(t) }
    expect(await importIntoDataDir(['import'], { dataDir: await tempDir() }, io)).toBe(2)
    expect(err.join('')).toMatch(/usage/)
  })
})
