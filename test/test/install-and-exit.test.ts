/**
 * Issue 18.7, a newcomer's install and exit: `pnpm install` links every command without a warning
 * (each bin is a committed launcher, not a file under dist/ that does not exist yet), the commands work
 * from the repository root, and Ctrl-C on `pnpm start` stops the hub with exit 0 and no ELIFECYCLE.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { tempDir } from '../src/system.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const pkg = (dir: string) =>
  JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
    bin?: Record<string, string>
    scripts: Record<string, string>
  }

const BINS = { protocol: 'vigil-vendor', agent: 'vigil-agent', hub: 'vigil-hub' } as const

describe('pnpm install links working commands', () => {
  for (const [dir, name] of Object.entries(BINS)) {
    it(`${name}: the bin is a committed launcher, and works from the repository root`, () => {
      const target = pkg(dir).bin?.[name]
      expect(target).toBeDefined()
      expect(target).not.toMatch(/dist\//)
      expect(existsSync(join(ROOT, dir, target as string))).toBe(true)
      const help = execFileSync(join(ROOT, 'node_modules', '.bin', name), ['--help'], { cwd: ROOT })
      expect(help.toString()).toMatch(new RegExp(`^usage: ${name}`, 'im'))
    })
  }
})

describe('Ctrl-C on pnpm start', () => {
  it('start builds, then execs the same command as serve (no shell left to turn SIGINT into 130)', () => {
    const { start, serve } = pkg('.').scripts
    expect(serve).toMatch(/^exec node /)
    expect(start).toBe(`pnpm run build && ${serve}`)
  })

  it('starts quietly, names the technician command, and stops cleanly on Ctrl-C: exit 0, no ELIFECYCLE', async () => {
    const dataDir = await tempDir('vigil-start-')
    // the KEV catalog as CISA ships it, with its JSON Schema beside it (issue 18.8: warned at every start)
    await mkdir(join(dataDir, 'advisories'), { recursive: true })
    for (const f of ['known_exploited_vulnerabilities.json', 'known_exploited_vulnerabilities_schema.json'])
      await copyFile(join(ROOT, 'testdata/kev/cisagov__kev-data', f), join(dataDir, 'advisories', f))
    const child = spawn('pnpm', ['run', 'serve'], {
      cwd: ROOT,
      detached: true, // its own process group, as a terminal's foreground job
      env: {
        ...process.env,
        VIGIL_DATA_DIR: dataDir,
        VIGIL_HTTP_PORT: '0',
        VIGIL_MQTT_PORT: '0',
        VIGIL_ADMIN_PASSWORD: 'first-hour admin password',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    onTestFinished(() => {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL')
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
    await new Promise<void>((ready, fail) => {
      const poll = setInterval(() => {
        if (output.includes('Press Ctrl-C to stop.')) {
          clearInterval(poll)
          ready()
        } else if (child.exitCode !== null) {
          clearInterval(poll)
          fail(new Error(`pnpm run serve exited early:\n${output}`))
        }
      }, 100)
    })
    expect(output).toMatch(/Local agent running as device [\w-]{10,}/)
    const httpUrl = /Dashboard: (http:\/\/\S+)/.exec(output)?.[1]
    for (const path of ['/healthz', '/api/v1/session', '/api/v1/devices', '/'])
      await fetch(`${httpUrl}${path}`)
    // the command the hub prints for the technician works as printed
    const command = /Check it as a technician would: pnpm exec (vigil-agent status.*)$/m.exec(output)?.[1]
    expect(command).toBeDefined()
    const [bin, ...args] = (command as string).split(' ')
    const status = execFileSync(join(ROOT, 'node_modules', '.bin', bin as string), args, { cwd: ROOT })
    expect(status.toString()).toMatch(/enrolled\s+yes/)
    // Ctrl-C: the terminal sends SIGINT to the whole foreground process group
    process.kill(-(child.pid as number), 'SIGINT')
    expect(await exited).toBe(0)
    expect(output).toMatch(/Vigil hub stopped; data flushed\./)
    expect(output).not.toMatch(/ELIFECYCLE/)
    // quiet at the default level: no line per HTTP request, no device id alone on a line, no refused schema
    expect(output).not.toMatch(/"reqId"|incoming request|request completed/)
    expect(output).not.toMatch(/^[\w-]{16,}$/m)
    expect(output).not.toMatch(/advisory refused/)
    expect(output).not.toMatch(/Deprecation|Warning/)
  }, 120_000)
})
