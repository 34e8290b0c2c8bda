/** Builds a config in a temp state dir and credentials for a test device. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { loadAgentConfig } from '../../src/config/load.ts'
import type { Credentials } from '../../src/credentials.ts'

export async function tempDir(prefix = 'vigil-agent-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

export function testConfig(stateDir: string, overrides: Record<string, unknown> = {}) {
  return loadAgentConfig({
    stateDir,
    env: {},
    overrides: { reconnect: { minMs: 20, maxMs: 200 }, ...overrides },
  })
}

export function testCredentials(url: string, deviceId = 'dev-1', password = 'secret-1'): Credentials {
  return { hubUrl: 'http://127.0.0.1:1', deviceId, mqtt: { url, username: deviceId, password } }
}
