/**
 * Issue 12 point 5: a consistent backup of a running hub, restore, check --repair, and (fault test f)
 * a hub that refuses to start on a damaged or incomplete data directory, naming the file.
 */
import { readdir, rm, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PROTOCOL_VERSION, topics } from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { loadHubConfig } from '../../src/config.ts'
import { hardeningContentHash, inventoryContentHash } from '../../src/ingest/content-hash.ts'
import { startHub } from '../../src/server.ts'
import { checkStore, restoreStore } from '../../src/store/backup.ts'
import {
  ADMIN_PASSWORD,
  adminToken,
  birth,
  connectEnrolled,
  enroll,
  tempDir,
  testHub,
  until,
} from '../helpers.ts'

const hashes = { inventory: inventoryContentHash, hardening: hardeningContentHash }

async function hubWithData(dataDir: string) {
  const hub = await testHub({}, dataDir)
  const token = await adminToken(hub)
  await hub.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { authorization: `Bearer ${token}` },
    payload: { username: 'nurse-it', password: 'long enough password', role: 'technician' },
  })
  const dev = await enroll(hub, 'ward-7')
  const client = await connectEnrolled(hub, dev)
  const inv = {
    v: PROTOCOL_VERSION,
    ts: new Date().toISOString(),
    hash: '',
    os: { platform: 'linux' as const, id: 'debian', kernel: '6.1', arch: 'x64' },
    packages: [
      {
        name: 'openssl',
        version: '3.0.11',
        ecosystem: 'deb' as const,
        purl: 'pkg:deb/debian/openssl@3.0.11',
      },
    ],
  }
  inv.hash = inventoryContentHash(inv)
  await client.publishAsync(topics.device(dev.deviceId, 'inventory'), JSON.stringify(inv), { qos: 1 })
  return { hub, token, dev, client, inv }
}

describe('backup, restore and check', () => {
  it('backs up a running hub over the API and restores it into a new directory', async () => {
    const { hub, token, dev } = await hubWithData(await tempDir())
    const res = await fetch(`${hub.httpUrl}/api/v1/admin/backup`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(200)
    const file = join(await tempDir(), 'backup.tar.gz')
    await writeFile(file, Buffer.from(await res.arrayBuffer()))
    const target = join(await tempDir(), 'restored')
    await restoreStore(file, target)
    const restored = await testHub({}, target)
    expect(restored.app.hub.store.users.values().map((u) => u.username)).toContain('nurse-it')
    expect(restored.app.hub.registry.get(dev.deviceId)?.name).toBe('ward-7')
    expect(restored.app.hub.registry.get(dev.deviceId)?.inventoryHash).toBeDefined()
    const audit = await restored.app.hub.store.audit.read({ limit: 100 })
    expect(audit.some((e) => e.action === 'device.enroll')).toBe(true)
  })

  it('refuses to restore over the directory of a running hub', async () => {
    const dataDir = await tempDir()
    await testHub({}, dataDir)
    await expect(restoreStore('/nonexistent.tar.gz', dataDir)).rejects.toThrow(/in use by a running hub/)
  })

  it('check finds a damaged inventory, --repair moves it aside and the device is asked for it again', async () => {
    const dataDir = await tempDir()
    const { hub, dev, inv, client } = await hubWithData(dataDir)
    client.end(true)
    await hub.close()
    await writeFile(join(dataDir, 'inventories', `${inv.hash}.json`), '{"v":1,"packages":[')
    const found = await checkStore(dataDir, { repair: false, contentHash: hashes })
    expect(found.map((p) => p.file)).toEqual([join(dataDir, 'inventories', `${inv.hash}.json`)])
    const repaired = await checkStore(dataDir, { repair: true, contentHash: hashes })
    expect(repaired[0]?.repaired).toContain('1 device(s)')
    expect(await checkStore(dataDir, { repair: false, contentHash: hashes })).toEqual([])
    const again = await testHub({}, dataDir)
    expect(again.app.hub.registry.get(dev.deviceId)?.inventoryHash).toBeUndefined()
    const reconnected = await connectEnrolled(again, dev)
    const commands: string[] = []
    await reconnected.subscribeAsync(topics.command(dev.deviceId), { qos: 1 })
    reconnected.on('message', (_t, payload) => commands.push(JSON.parse(payload.toString()).cmd))
    await reconnected.publishAsync(
      topics.device(dev.deviceId, 'state'),
      JSON.stringify(birth({ inventoryHash: inv.hash })),
      { qos: 1 },
    )
    await until(() => commands.includes('send-inventory'), 'the hub asks for the inventory again')
  })

  it('(f) does not start on a truncated, garbage or incomplete data directory, and names the file', async () => {
    const start = (dataDir: string) =>
      startHub(
        loadHubConfig(
          {
            httpPort: 0,
            mqttPort: 0,
            httpHost: '127.0.0.1',
            mqttHost: '127.0.0.1',
            dataDir,
            adminPassword: ADMIN_PASSWORD,
            logLevel: 'silent',
          },
          {},
        ),
        { logger: false },
      )
    const prepared = async () => {
      const dir = await tempDir()
      const { hub, client } = await hubWithData(dir)
      client.end(true)
      await hub.close()
      return dir
    }
    const truncated = await prepared()
    await truncate(join(truncated, 'users.json'), 7)
    await expect(start(truncated)).rejects.toThrow(/users\.json: not valid JSON/)
    const garbage = await prepared()
    await writeFile(join(garbage, 'tokens.json'), 'garbage')
    await expect(start(garbage)).rejects.toThrow(/tokens\.json: not valid JSON/)
    const missing = await prepared()
    const shard = (await readdir(join(missing, 'devices'))).sort()[5] ?? ''
    await rm(join(missing, 'devices', shard))
    await expect(start(missing)).rejects.toThrow(new RegExp(`devices/${shard}: missing`))
  })
})
