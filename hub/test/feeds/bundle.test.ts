import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AdvisoryFilesResult, BundleResult } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { eachEntry } from '../../src/feeds/zip.ts'
import type { RunningHub } from '../../src/server.ts'
import { adminToken, tempDir } from '../helpers.ts'
import { feedApi, feedHub } from './helpers.ts'
import { cisaDocs, csafProvider, kevCatalog, Mirror, osvBucket, osvRecords, zipOf } from './mirror.ts'

async function postZip(hub: RunningHub, token: string, body: Buffer) {
  const res = await hub.app.inject({
    method: 'POST',
    url: '/api/v1/feeds/bundle',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/zip' },
    payload: body,
  })
  return { status: res.statusCode, body: res.json() as BundleResult }
}

describe('offline bundles', () => {
  it('export on a connected hub, import on an isolated one: verified again, applied incrementally, tampering refused', async () => {
    const m = await new Mirror().start()
    const docs = cisaDocs(5)
    const p = await csafProvider(m, 'csaf', 'directory', docs)
    await osvBucket(m, 'Debian', osvRecords('Debian'))
    m.put('/kev/kev.json', kevCatalog())
    const connected = await feedHub()
    const a = await feedApi(connected)
    await a.add({ kind: 'csaf-provider', url: p.metadata })
    await a.add({ kind: 'osv', url: `${m.url}/osv`, ecosystems: ['Debian'] })
    await a.add({ kind: 'kev', url: `${m.url}/kev/kev.json` })
    const res = await connected.app.inject({
      method: 'POST',
      url: '/api/v1/feeds/export',
      headers: { authorization: `Bearer ${a.token}` },
      // no body: every enabled feed (the body is optional, and openapi.json says so)
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/zip')
    const bundle = res.rawPayload
    await m.close() // the isolated hub cannot reach the providers

    const isolated = await feedHub()
    const token = await adminToken(isolated)
    const first = await postZip(isolated, token, bundle)
    expect(first.status).toBe(200)
    const byKind = new Map(first.body.feeds.map((f) => [f.kind, f]))
    expect(byKind.get('csaf-provider')).toMatchObject({
      created: true,
      result: { ok: true, added: docs.length, refused: [] },
    })
    expect(byKind.get('osv')).toMatchObject({
      created: true,
      result: { ok: true, added: osvRecords('Debian').size },
    })
    expect(byKind.get('kev')?.result.ok).toBe(true)
    const b = await feedApi(isolated, token)
    const feeds = (await b.list()).filter((f) => !f.preset)
    expect(feeds).toHaveLength(3)
    expect(feeds.every((f) => !f.enabled)).toBe(true) // an air-gapped hub does not phone out
    expect(feeds.find((f) => f.kind === 'csaf-provider')?.pinnedKeys).toEqual([p.key.fingerprint])

    // the same bundle again: nothing new is applied
    const again = await postZip(isolated, token, bundle)
    expect(again.body.feeds.find((f) => f.kind === 'csaf-provider')?.result).toMatchObject({
      added: 0,
      updated: 0,
    })
    expect(again.body.feeds.find((f) => f.kind === 'osv')?.result).toMatchObject({ added: 0, updated: 0 })

    // a document altered inside the bundle is refused by a third hub (hash and signature checked again)
    const dir = await tempDir()
    const src = join(dir, 'b.zip')
    await writeFile(src, bundle)
    const members = new Map<string, Buffer>()
    await eachEntry(src, async (name, read) => {
      members.set(name, await read())
    })
    const manifest = JSON.parse(members.get('vigil-feeds-bundle.json')?.toString() ?? '{}') as {
      files: Record<string, string>
    }
    const docUrl = `${p.metadata.replace('provider-metadata.json', '')}white/${docs[0]?.path}`
    const member = manifest.files[docUrl]
    if (!member) throw new Error(`bundle lacks ${docUrl}`)
    members.set(
      member,
      Buffer.from((members.get(member) ?? Buffer.alloc(0)).toString().replace('"title"', '"title" ')),
    )
    const third = await feedHub()
    const t3 = await adminToken(third)
    const tampered = await postZip(third, t3, await zipOf(members))
    const csaf = tampered.body.feeds.find((f) => f.kind === 'csaf-provider')
    expect(csaf?.result.added).toBe(docs.length - 1)
    expect(csaf?.result.refused).toEqual([{ url: docUrl, reason: expect.stringMatching(/mismatch/) }])

    // not a bundle
    expect((await postZip(third, t3, Buffer.from('PK nope'))).status).toBe(400)
  })
})

describe('advisory file upload', () => {
  it('imports JSON files and a zip into the running hub, with per-file results', async () => {
    const hub = await feedHub()
    const a = await feedApi(hub)
    const records = osvRecords('Debian')
    const [firstId, firstBody] = [...records][0] ?? []
    if (!firstId || !firstBody) throw new Error('no test data')
    const zip = await zipOf(new Map([...records].slice(1).map(([id, body]) => [`Debian/${id}.json`, body])))
    const [doc] = cisaDocs(1)
    const r = await a.call('POST', '/api/v1/advisories/import', {
      files: [
        { name: `${firstId}.json`, data: firstBody.toString('base64') },
        { name: 'debian.zip', data: zip.toString('base64') },
        { name: 'advisory.json', data: doc?.body.toString('base64') ?? '' },
        { name: 'broken.json', data: Buffer.from('{"id": ').toString('base64') },
      ],
    })
    expect(r.status).toBe(200)
    const body = r.body as AdvisoryFilesResult
    expect(body.imported).toBe(records.size + 1)
    expect(body.refused).toBe(1)
    expect(body.files.find((f) => f.name === `${firstId}.json`)?.imported).toEqual([firstId])
    expect(body.files.filter((f) => f.name.startsWith('debian.zip/'))).toHaveLength(records.size - 1)
    expect(body.files.find((f) => f.name === 'broken.json')?.refused).toMatch(/JSON|json/)
    expect(body.advisories).toBe(records.size + 1)
    const list = await a.call('GET', '/api/v1/advisories?source=osv')
    expect((list.body as { total: number }).total).toBe(records.size)
  })
})
