import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { importAdvisories } from '../../../src/risk/advisories/index.ts'
import type { Advisory } from '../../../src/risk/advisories/types.ts'
import { AdvisoryDb, PACK_MAX } from '../../../src/risk/correlation/advisory-db.ts'
import { checkStore } from '../../../src/store/backup.ts'
import { LowdbStore } from '../../../src/store/lowdb-store.ts'
import { tempDir } from '../../helpers.ts'
import { DEBIAN_DB } from '../register/fixtures.ts'

let real: Advisory[] = []

beforeAll(async () => {
  const s = await importAdvisories([DEBIAN_DB])
  real = [...(s.index?.all() ?? [])]
})

/** `n` advisories: the real Debian ones copied with new ids. */
function many(n: number, revision = '2026-01-01T00:00:00Z'): Advisory[] {
  return Array.from({ length: n }, (_, i) => ({
    ...(real[i % real.length] as Advisory),
    id: `COPY-${i}`,
    revision,
  }))
}

async function open(dir: string) {
  const store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 60_000 })
  const db = await AdvisoryDb.open(store)
  return { store, db, loaded: await db.load() }
}

const files = async (dir: string) => (await readdir(join(dir, 'advisory-db'))).sort()

describe('advisory db (packs)', () => {
  it('stores a large import as a few pack files and loads every advisory back after a restart', async () => {
    const dir = await tempDir()
    const a = await open(dir)
    expect(a.loaded.advisories).toEqual([])
    const list = many(PACK_MAX * 2 + 7)
    await a.db.saveMany(list)
    await a.store.close()
    // three packs, not one file per advisory
    expect((await files(dir)).filter((f) => f.startsWith('pack-'))).toHaveLength(3)

    const b = await open(dir)
    expect(b.loaded.advisories.map((x) => x.id).sort()).toEqual(list.map((x) => x.id).sort())
    expect(b.loaded.advisories.find((x) => x.id === 'COPY-5')).toEqual(list[5])
    await b.store.close()
  })

  it('a newer revision in a later pack wins; a pack left with nothing current is deleted', async () => {
    const dir = await tempDir()
    const a = await open(dir)
    await a.db.saveMany(many(10))
    const [first] = (await files(dir)).filter((f) => f.startsWith('pack-'))
    await a.db.saveMany(many(10, '2026-02-01T00:00:00Z'))
    const packs = (await files(dir)).filter((f) => f.startsWith('pack-'))
    expect(packs).toHaveLength(1)
    expect(packs).not.toContain(first)
    await a.db.saveMany([{ ...(many(1, '2026-03-01T00:00:00Z')[0] as Advisory), title: 'third' }])
    await a.store.close()

    const b = await open(dir)
    expect(b.loaded.advisories).toHaveLength(10)
    const copy0 = b.loaded.advisories.find((x) => x.id === 'COPY-0')
    expect(copy0).toMatchObject({ revision: '2026-03-01T00:00:00Z', title: 'third' })
    expect(b.loaded.advisories.find((x) => x.id === 'COPY-1')?.revision).toBe('2026-02-01T00:00:00Z')
    await b.store.close()
  })

  it('small packs (many small imports) are merged, and nothing is lost by it', async () => {
    const dir = await tempDir()
    const a = await open(dir)
    for (let i = 0; i < 40; i++) await a.db.saveMany([{ ...(many(1)[0] as Advisory), id: `ONE-${i}` }])
    expect(a.db.packCount).toBeLessThan(16)
    await a.store.close()
    expect((await files(dir)).filter((f) => f.startsWith('pack-')).length).toBeLessThan(16)
    const b = await open(dir)
    expect(b.loaded.advisories.map((x) => x.id).sort()).toEqual(
      Array.from({ length: 40 }, (_, i) => `ONE-${i}`).sort(),
    )
    await b.store.close()
  })

  it('advisories of the one-file-per-advisory layout are moved into packs at start', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, 'advisory-db'), { recursive: true })
    const old = many(30)
    for (const adv of old) {
      const key = createHash('sha256').update(adv.id).digest('hex')
      await writeFile(join(dir, 'advisory-db', `${key}.json`), JSON.stringify(adv))
    }
    const a = await open(dir)
    expect(a.loaded.advisories.map((x) => x.id).sort()).toEqual(old.map((x) => x.id).sort())
    await a.store.close()
    const left = await files(dir)
    expect(left.filter((f) => /^[0-9a-f]{64}\.json$/.test(f))).toEqual([])
    expect(left.filter((f) => f.startsWith('pack-'))).toHaveLength(1)
    const b = await open(dir)
    expect(b.loaded.advisories).toHaveLength(30)
    await b.store.close()
  })

  it('a damaged pack is named and the others still load; vigil-hub check passes on packs', async () => {
    const dir = await tempDir()
    const a = await open(dir)
    await a.db.saveMany(many(PACK_MAX + 1))
    await a.store.close()
    expect(
      await checkStore(dir, { repair: false, contentHash: { inventory: () => '', hardening: () => '' } }),
    ).toEqual([])
    const [pack] = (await files(dir)).filter((f) => f.startsWith('pack-'))
    const path = join(dir, 'advisory-db', pack as string)
    await writeFile(path, (await readFile(path, 'utf8')).slice(0, 100))
    const errors: string[] = []
    const store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 60_000 })
    const db = await AdvisoryDb.open(store)
    const loaded = await db.load((file) => errors.push(file))
    expect(errors).toEqual([pack])
    expect(loaded.advisories).toHaveLength(1)
    await store.close()
  })
})

describe('advisory db in backups', () => {
  it('an offline backup (no feature opened the db) holds the advisory packs', async () => {
    const dir = await tempDir()
    const a = await open(dir)
    await a.db.saveMany(many(3))
    await a.store.close()
    // what `vigil-hub backup` does on a stopped hub: open the store alone and list its files
    const offline = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 60_000 })
    const listed = (await offline.files()).map((f) => f.slice(dir.length + 1))
    await offline.close()
    const packs = (await files(dir)).filter((f) => f.startsWith('pack-'))
    expect(packs).toHaveLength(1)
    expect(listed).toContain(`advisory-db/${packs[0]}`)
  })
})
