import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadAgentConfig } from '../../src/config/load.ts'
import { tempDir } from '../helpers/setup.ts'

describe('loadAgentConfig', () => {
  it('applies defaults, then file, then environment, then overrides; result frozen', async () => {
    const dir = await tempDir()
    await writeFile(
      join(dir, 'agent.json'),
      JSON.stringify({ telemetryIntervalSec: 30, identity: { vendor: 'Acme' } }),
    )
    const c = loadAgentConfig({ env: { VIGIL_AGENT_DIR: dir, VIGIL_AGENT_MODEL: 'GW-1' } })
    expect(c.stateDir).toBe(dir)
    expect(c.telemetryIntervalSec).toBe(30)
    expect(c.identity).toEqual({ vendor: 'Acme', model: 'GW-1' })
    expect(c.hardeningIntervalSec).toBe(900)
    expect(Object.isFrozen(c.identity)).toBe(true)
    expect(() => {
      ;(c as { telemetryIntervalSec: number }).telemetryIntervalSec = 1
    }).toThrow()
    expect(
      loadAgentConfig({ stateDir: dir, env: { VIGIL_AGENT_TELEMETRY_INTERVAL: '5' } }).telemetryIntervalSec,
    ).toBe(5)
  })

  it('lists every error at once', async () => {
    const dir = await tempDir()
    await writeFile(
      join(dir, 'agent.json'),
      JSON.stringify({ telemetryIntervalSec: 0, bogus: 1, reconnect: { minMs: 10, maxMs: 5 } }),
    )
    try {
      loadAgentConfig({
        stateDir: dir,
        env: { VIGIL_AGENT_HARDENING_INTERVAL: 'soon', VIGIL_AGENT_LOG_LEVEL: 'loud' },
      })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      const problems = (err as ConfigError).problems.join('\n')
      expect(problems).toMatch(/VIGIL_AGENT_HARDENING_INTERVAL: expected an integer/)
      expect(problems).toMatch(/telemetryIntervalSec/)
      expect(problems).toMatch(/bogus/)
      expect(problems).toMatch(/logLevel/)
      expect(problems).toMatch(/minMs must not exceed maxMs/)
    }
  })

  it('names an unreadable or invalid config file', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'bad.json'), '{ nope')
    expect(() => loadAgentConfig({ stateDir: dir, file: join(dir, 'bad.json'), env: {} })).toThrow(
      /bad.json: not valid JSON/,
    )
    expect(() => loadAgentConfig({ stateDir: dir, file: join(dir, 'missing.json'), env: {} })).toThrow(
      /missing.json: cannot read/,
    )
  })
})
