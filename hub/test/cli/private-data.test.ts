/**
 * Issue #14, finding 9: `vigil-hub serve` keeps its data private: directory 0700, every file 0600 (the
 * process umask), including what an older version left readable.
 */
import { spawn } from 'node:child_process'
import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ADMIN_PASSWORD, tempDir } from '../helpers.ts'

const BIN = fileURLToPath(new URL('../../src/bin/vigil-hub.ts', import.meta.url))

async function modes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (path: string, rel: string) => {
    const st = await stat(path)
    out[rel || '.'] = (st.mode & 0o777).toString(8)
    if (st.isDirectory())
      for (const name of await readdir(path)) await walk(join(path, name), join(rel, name))
  }
  await walk(dir, '')
  return out
}

describe('private data directory (issue #14 finding 9)', () => {
  it('creates the data dir 0700 and every file 0600, and tightens an older one', async () => {
    const dataDir = join(await tempDir(), 'data')
    await mkdir(join(dataDir, 'old'), { recursive: true, mode: 0o755 })
    await chmod(dataDir, 0o755)
    await writeFile(join(dataDir, 'old', 'left-behind.json'), '{}', { mode: 0o644 })
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', import.meta.resolve('tsx'), BIN, 'serve'],
      {
        env: {
          ...process.env,
          VIGIL_DATA_DIR: dataDir,
          VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD,
          VIGIL_HTTP_PORT: '0',
          VIGIL_MQTT_PORT: '0',
          VIGIL_LOG_LEVEL: 'silent',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    let out = ''
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('Press Ctrl-C')) resolve()
      })
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)))
    })
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    const seen = await modes(dataDir)
    expect(Object.keys(seen).length).toBeGreaterThan(3)
    const loose = Object.entries(seen).filter(([, mode]) => (Number.parseInt(mode, 8) & 0o077) !== 0)
    expect(loose).toEqual([])
    expect(seen['.']).toBe('700')
    expect(seen[join('old', 'left-behind.json')]).toBe('600')
  })
})
