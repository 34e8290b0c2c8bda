/**
 * Done-when of issue 3: `vigil-agent check --json` lists exactly the packages dpkg-query marks installed
 * on this machine, with source names, and the OS/kernel facts of /etc/os-release and `uname -r`.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseOsReleaseFile } from '../../src/collectors/os-release.ts'

const hasDpkg = existsSync('/var/lib/dpkg/status')
const agentDir = fileURLToPath(new URL('../..', import.meta.url))

describe.runIf(hasDpkg)('check --json against dpkg-query on this machine', () => {
  it('lists exactly the installed packages, with sources, OS and kernel', () => {
    const expected = execFileSync(
      'dpkg-query',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
      ['-W', '-f=${db:Status-Status} ${Package} ${Version} ${source:Package}\\n'],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter((l) => l.startsWith('installed '))
      .map((l) => l.split(' ').slice(1).join(' '))
      .sort()
    const out = execFileSync(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'src/bin/vigil-agent.ts',
        'check',
        '--json',
        '--dir',
        '/nonexistent-vigil',
      ],
      {
        cwd: agentDir,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      },
    )
    const posture = JSON.parse(out) as {
      inventory: {
        packages: { name: string; version: string; source?: { name: string } }[]
        os: Record<string, string>
      }
    }
    const actual = posture.inventory.packages.map((p) => `${p.name} ${p.version} ${p.source?.name}`).sort()
    expect(actual).toEqual(expected)
    const osr = parseOsReleaseFile(readFileSync('/etc/os-release', 'utf8'))
    expect(posture.inventory.os.id).toBe(osr.ID)
    expect(posture.inventory.os.versionId).toBe(osr.VERSION_ID)
    expect(posture.inventory.os.kernel).toBe(execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim())
  })
})
