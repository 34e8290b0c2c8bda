import { afterEach, describe, expect, it, vi } from 'vitest'
import { verifyPassword } from '../../src/auth/crypto.ts'
import { COMMAND_NAMES, main } from '../../src/cli/main.ts'
import { LowdbStore } from '../../src/store/lowdb-store.ts'
import { tempDir } from '../helpers.ts'

function capture() {
  const out: string[] = []
  const err: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk))
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err.push(String(chunk))
    return true
  })
  return { out: () => out.join(''), err: () => err.join('') }
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

describe('vigil-hub CLI', () => {
  it('prints help for every command', async () => {
    const io = capture()
    expect(await main(['--help'])).toBe(0)
    expect(io.out()).toMatch(/serve \[--local-agent\]/)
    expect(COMMAND_NAMES).toEqual(expect.arrayContaining(['serve', 'user', 'token', 'scan', 'import']))
    for (const cmd of COMMAND_NAMES) {
      expect(io.out()).toContain(`  ${cmd} `) // listed in the overview
      const before = io.out().length
      expect(await main([cmd, '--help']), cmd).toBe(0)
      expect(await main([cmd, '-h']), cmd).toBe(0)
      expect(io.out().slice(before), cmd).toMatch(new RegExp(`^Usage:\\s+vigil-hub ${cmd}`))
    }
    expect(io.err()).toBe('')
    expect(io.out()).toMatch(/vigil-hub user add/)
    expect(io.out()).toMatch(/vigil-hub token create/)
    expect(await main(['frobnicate'])).toBe(2)
    expect(io.err()).toMatch(/unknown command frobnicate/)
  })

  it('adds users, changes passwords and roles, creates tokens in the data directory', async () => {
    const dir = await tempDir()
    vi.stubEnv('VIGIL_DATA_DIR', dir)
    const io = capture()
    expect(await main(['user', 'add', 'olga', '--role', 'operator', '--password', 'first-password'])).toBe(0)
    expect(await main(['user', 'passwd', 'olga', '--password', 'second-password'])).toBe(0)
    expect(await main(['user', 'role', 'olga', 'technician'])).toBe(0)
    expect(await main(['user', 'role', 'olga', 'emperor'])).toBe(2)
    expect(io.err()).toMatch(/role must be one of/)
    expect(await main(['user', 'add', 'x', '--bogus'])).toBe(2)
    expect(await main(['token', 'create', '--uses', '3'])).toBe(0)
    expect(await main(['token', 'create', '--uses', 'many'])).toBe(2)
    const token = io
      .out()
      .split('\n')
      .find((l) => /^[A-Za-z0-9_-]{43}$/.test(l))
    expect(token).toBeDefined()

    const store = await LowdbStore.open({ dataDir: dir, flushIntervalMs: 60_000 })
    const olga = store.users.values().find((u) => u.username === 'olga')
    expect(olga?.role).toBe('technician')
    expect(await verifyPassword('second-password', olga?.passwordHash ?? '')).toBe(true)
    expect(store.tokens.values()[0]?.uses).toBe(3)
    expect((await store.audit.read()).map((e) => e.action)).toEqual([
      'token.create',
      'user.role',
      'user.password',
      'user.create',
    ])
    await store.close()
  })

  it('reports configuration errors all at once', async () => {
    vi.stubEnv('VIGIL_HTTP_PORT', 'eighty')
    vi.stubEnv('VIGIL_MQTT_PORT', '70000')
    const io = capture()
    expect(await main(['token', 'create'])).toBe(2)
    expect(io.err()).toMatch(/VIGIL_HTTP_PORT/)
    expect(io.err()).toMatch(/VIGIL_MQTT_PORT/)
  })

  it('dispatches scan to the advisories feature', async () => {
    const io = capture()
    const code = await main(['scan'])
    expect(code).toBe(2)
    expect(io.err()).not.toMatch(/not available/)
  })
})
