/** Builds a config in a temp state dir and credentials for a test device. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
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
  return { hubUrl: 'http://127.0.0.1:47', deviceId, mqtt: { url, username: deviceId, password } }
}

/** A baseline whose results do not depend on what else runs on the machine (ports, processes). */
export async function stableBaselineFile(dir: string): Promise<string> {
  const file = join(dir, 'baseline.json')
  const baseline = {
    v: 1,
    id: 'stable',
    version: 1,
    name: 'Stable test baseline',
    checks: [
      {
        id: 'os-release',
        kind: 'file-exists',
        title: 'os-release exists',
        severity: 'low',
        path: '/etc/os-release',
      },
    ],
  }
  await writeFile(file, JSON.stringify(baseline))
  return file
}
