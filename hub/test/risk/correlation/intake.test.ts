import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AdvisorySummary } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { importIntoDataDir } from '../../../src/risk/correlation/import-cli.ts'
import { tempDir, testHub } from '../../helpers.ts'
import { KEV } from '../advisories/data.ts'
import {
  api,
  DEBIAN_DB,
  findingsOf,
  gateway,
  inventory,
  VULNERABLE,
  waitFindings,
} from '../register/fixtures.ts'

describe('advisory intake', () => {
  it('the watched folder imports a file dropped while the hub runs, and the device gets its finding', async () => {
    const hub = await testHub()
    const a = await api(hub)
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    expect(await findingsOf(a, `device=${gw.deviceId}`)).toEqual([])
    const dir = join(hub.app.hub.config.dataDir, 'advisories', 'debian')
    await mkdir(dir, { recursive: true })
    await copyFile(join(DEBIAN_DB, 'DLA-3012-1.json'), join(dir, 'DLA-3012-1.json'))
    const [f] = await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding from the watched folder')
    expect(f?.advisory).toBe('DLA-3012-1')
    expect(f?.epss).toBeUndefined()
    // an EPSS file (FIRST's CSV format) dropped later enriches the finding
    await writeFile(
      join(dir, 'epss.csv'),
      '#model_version:v2025.03.14,score_date:2026-11-28T00:00:00Z\ncve,epss,percentile\nCVE-2022-29824,0.61234,0.98\n',
    )
    const [g] = await waitFindings(a, gw.deviceId, (fs) => fs[0]?.epss !== undefined, 'EPSS score')
    expect(g?.epss).toBe(0.61234)
  })

  it('vigil-hub import stores into the data dir; the hub serves it after start; bad files are refused', async () => {
    const dir = await tempDir()
    const out: string[] = []
    const err: string[] = []
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), isTTY: false }
    const broken = join(dir, 'broken.json')
    await writeFile(broken, '{"id": ')
    const code = await importIntoDataDir(['import', DEBIAN_DB, KEV, broken], { dataDir: dir }, io)
    expect(code).toBe(1)
    expect(out.join('')).toMatch(/DLA-3012-1|imported/)
    expect(out.join('')).toContain('broken.json')
    // a second import of the same files changes nothing (revisions compare against the stored ones)
    const again: string[] = []
    expect(
      await importIntoDataDir([DEBIAN_DB], { dataDir: dir }, { ...io, stdout: (t) => again.push(t) }),
    ).toBe(0)
    expect(await importIntoDataDir([], { dataDir: dir }, io)).toBe(2)

    const hub = await testHub({}, dir)
    const a = await api(hub)
    const list = await a.get<{ advisories: AdvisorySummary[]; total: number }>('/api/v1/advisories?q=libxml2')
    expect(list.body.advisories.map((x) => x.id)).toEqual(['DLA-3012-1'])
    const all = await a.get<{ total: number }>('/api/v1/advisories?source=osv')
    expect(all.body.total).toBe(4)
    const gw = await gateway(hub, 'gw-1')
    await gw.send(inventory(VULNERABLE))
    await waitFindings(a, gw.deviceId, (fs) => fs.length === 1, 'finding')
    expect((await a.get('/api/v1/advisories/NOPE')).status).toBe(404)
  })

  it('an upload that is not an advisory is refused with the reason; nothing is lost', async () => {
    const hub = await testHub()
    const a = await api(hub)
    const res = await a.post<{ error: { code: string; message: string } }>('/api/v1/advisories', {
      hello: 'world',
    })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toMatch(/not an OSV record, CSAF 2.0 document or KEV catalog/)
    const broken = await a.post<{ error: { message: string } }>('/api/v1/advisories', {
      id: 'X-1',
      modified: 'yesterday',
      affected: [],
    })
    expect(broken.status).toBe(400)
    expect(broken.body.error.message).not.toContain('/tmp')
  })
})
