import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { LOCAL_AGENT_DIR, technicianStateDir } from '../../src/cli/state-dir.ts'
import { statusCommand } from '../../src/cli/status.ts'
import { credentialsPath, writeCredentials } from '../../src/credentials.ts'
import { DEFAULT_STATE_DIR } from '../../src/schemas/defaults.ts'
import { captureIo } from '../helpers/io.ts'
import { tempDir, testCredentials } from '../helpers/setup.ts'

/** A repository root after `pnpm start`: the local agent enrolled in data/local-agent. */
async function startedRepo(): Promise<{ root: string; local: string }> {
  const root = await tempDir()
  const local = join(root, LOCAL_AGENT_DIR)
  await mkdir(local, { recursive: true })
  await writeCredentials(local, testCredentials('mqtt://127.0.0.1:1883', 'local-dev'))
  return { root, local }
}

describe('the technician CLI finds the agent pnpm start runs', () => {
  it('uses ./data/local-agent when the default directory holds no enrollment', async () => {
    const { root, local } = await startedRepo()
    const empty = await tempDir()
    const choice = technicianStateDir(empty, empty, root)
    expect(choice.dir).toBe(local)
    expect(choice.note).toMatch(/pnpm start/)
  })

  it('keeps a directory someone chose, and an enrolled default', async () => {
    const { root } = await startedRepo()
    const chosen = await tempDir()
    expect(technicianStateDir(chosen, '/var/lib/vigil-agent', root)).toEqual({ dir: chosen })
    const enrolled = await tempDir()
    await writeCredentials(enrolled, testCredentials('mqtt://127.0.0.1:1883'))
    expect(technicianStateDir(enrolled, enrolled, root)).toEqual({ dir: enrolled })
    const nothing = await tempDir()
    expect(technicianStateDir(nothing, nothing, await tempDir())).toEqual({ dir: nothing })
  })

  it.skipIf(existsSync(credentialsPath(DEFAULT_STATE_DIR)))(
    '`vigil-agent status` run from the repository root shows that agent',
    async () => {
      const { root } = await startedRepo()
      const before = process.cwd()
      process.chdir(root)
      onTestFinished(() => process.chdir(before))
      const io = captureIo()
      expect(await statusCommand([], io)).toBe(0)
      expect(io.stdout).toMatch(/device id\s+local-dev/)
      expect(io.stderr).toMatch(/showing the agent `pnpm start` runs/)
    },
  )
})
