import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { connectEnrolled, enroll, tempDir, testHub } from '../helpers.ts'
import { inventoryOf } from './fixtures.ts'

describe('unreferenced inventories are collected (issue 14, finding 5)', () => {
  it('deletes an inventory no device references after the grace time; never a referenced or recent one', async () => {
    const dir = await tempDir()
    const hub = await testHub({ blobGraceSec: 300 }, dir)
    const { store, blobs } = hub.app.hub
    const a = await enroll(hub, 'a')
    const b = await enroll(hub, 'b')
    const clientA = await connectEnrolled(hub, a)
    const clientB = await connectEnrolled(hub, b)
    const old = inventoryOf('1.0')
    const current = inventoryOf('2.0')
    const shared = inventoryOf('3.0')
    await clientA.publishAsync(topics.device(a.deviceId, 'inventory'), JSON.stringify(old), { qos: 1 })
    await clientA.publishAsync(topics.device(a.deviceId, 'inventory'), JSON.stringify(current), { qos: 1 })
    await clientB.publishAsync(topics.device(b.deviceId, 'inventory'), JSON.stringify(shared), { qos: 1 })
    expect(store.inventories.keys().sort()).toEqual([old.hash, current.hash, shared.hash].sort())

    const t0 = Date.now()
    // Written moments ago: kept, whatever references it.
    expect((await blobs.sweep(t0)).deleted.inventory).toBe(0)
    // Written longer ago than the grace time: from now on it counts as unreferenced, but is kept…
    expect((await blobs.sweep(t0 + 400_000)).deleted.inventory).toBe(0)
    expect((await blobs.sweep(t0 + 600_000)).deleted.inventory).toBe(0)
    expect(store.inventories.has(old.hash)).toBe(true)
    // …until it has been seen unreferenced for the grace time: collected, file and all.
    const swept = await blobs.sweep(t0 + 800_000)
    expect(swept.deleted.inventory).toBe(1)
    expect(store.inventories.keys().sort()).toEqual([current.hash, shared.hash].sort())
    expect(existsSync(join(dir, 'inventories', `${old.hash}.json`))).toBe(false)
    expect(existsSync(join(dir, 'inventories', `${current.hash}.json`))).toBe(true)

    // A device coming back to a collected image sends it again and it is stored again.
    await clientA.publishAsync(topics.device(a.deviceId, 'inventory'), JSON.stringify(old), { qos: 1 })
    expect(store.inventories.has(old.hash)).toBe(true)
    expect(hub.app.hub.registry.get(a.deviceId)?.inventoryHash).toBe(old.hash)
    // Now `current` is unreferenced, but it was written recently relative to this sweep's clock.
    expect((await blobs.sweep(Date.now())).deleted.inventory).toBe(0)
    expect(store.inventories.has(current.hash)).toBe(true)
  })
})
