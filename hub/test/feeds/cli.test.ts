import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadHubConfig } from '../../src/config.ts'
import { feedsCommand, importThroughHub } from '../../src/feeds/cli.ts'
import type { RunningHub } from '../../src/server.ts'
import { ADMIN_PASSWORD, tempDir } from '../helpers.ts'
import { feedApi, feedHub } from './helpers.ts'
import { cisaDocs, csafProvider, Mirror, OSV_DB } from './mirror.ts'

function cliConfig(hub: RunningHub, password = ADMIN_PASSWORD) {
  const url = new URL(hub.httpUrl)
  return loadHubConfig({ httpHost: url.hostname, httpPort: Number(url.port), adminPassword: password }, {})
}

function capture() {
  const lines: string[] = []
  return { io: { stdout: (t: string) => lines.push(t), env: {} }, text: () => lines.join('') }
}

describe('vigil-hub feeds / import against a running hub', () => {
  it('import goes through the running hub: what it reports is served at once', async () => {
    const hub = await feedHub()
    const c = capture()
    const code = await importThroughHub(
      [join(OSV_DB, 'Debian'), join(OSV_DB, 'Alpine')],
      cliConfig(hub),
      c.io,
    )
    expect(code).toBe(0)
    expect(c.text()).toMatch(/imported 5, updated 0, refused 0 into the running hub/)
    const a = await feedApi(hub)
    expect(((await a.call('GET', '/api/v1/advisories?source=osv')).body as { total: number }).total).toBe(5)
    // no hub at that address: the caller falls back to the data directory
    await hub.close()
    expect(await importThroughHub([join(OSV_DB, 'Debian')], cliConfig(hub), capture().io)).toBeNull()
  })

  it('a wrong password is an error, never a silent fallback', async () => {
    const hub = await feedHub()
    await expect(
      importThroughHub([join(OSV_DB, 'Debian')], cliConfig(hub, 'not the password'), capture().io),
    ).rejects.toThrow(/sign-in .* failed: 401/)
  })

  it('feeds add, sync --wait, list, export and import on a second hub', async () => {
    const m = await new Mirror().start()
    const p = await csafProvider(m, 'csaf', 'directory', cisaDocs(3))
    const hub = await feedHub()
    const config = cliConfig(hub)
    const c = capture()
    expect(
      await feedsCommand(
        ['add', '--kind', 'csaf-provider', '--url', p.metadata, '--name', 'Mirror CSAF'],
        config,
        c.io,
      ),
    ).toBe(0)
    const id = c.text().split(/\s/)[0] ?? ''
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(await feedsCommand(['sync', id, '--wait'], config, c.io)).toBe(0)
    const listed = capture()
    expect(await feedsCommand(['list'], config, listed.io)).toBe(0)
    expect(listed.text()).toContain('Mirror CSAF')
    expect(listed.text()).toMatch(/ok\s+Mirror CSAF/)
    expect(listed.text()).toContain(`pinned OpenPGP ${p.key.fingerprint}`)
    expect(listed.text()).toMatch(/\+3 ~0/)

    const dir = await tempDir()
    const file = join(dir, 'bundle.zip')
    expect(await feedsCommand(['export', file], config, c.io)).toBe(0)
    expect((await readFile(file)).subarray(0, 2).toString()).toBe('PK')
    const second = await feedHub()
    const imp = capture()
    expect(await feedsCommand(['import', file], cliConfig(second), imp.io)).toBe(0)
    expect(imp.text()).toMatch(/Mirror CSAF \(csaf-provider, new, disabled\): ok \+3/)
    await expect(feedsCommand(['frobnicate'], config, c.io)).rejects.toThrow(/unknown feeds command/)
  })
})
