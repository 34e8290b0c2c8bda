/**
 * The impure edge of the inventory collectors: reads the files (and runs `rpm -qa` where rpm exists)
 * and hands the text to the pure parsers. Runs at inventory time only, never per telemetry tick.
 */
import { execFile } from 'node:child_process'
import { access, readFile } from 'node:fs/promises'
import { machine, arch as nodeArch, platform, release } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Inventory, OsRelease } from '@vigil/protocol'
import type { AgentConfig } from '../schemas/agent-config.js'
import { parseApkInstalled } from './apk.js'
import { type PackageParse, parseDpkgStatus } from './dpkg.js'
import { buildInventory } from './inventory.js'
import { osReleaseFrom } from './os-release.js'
import { parseRpmQa, RPM_QUERY_FORMAT } from './rpm.js'

const run = promisify(execFile)

type Paths = AgentConfig['paths']
type IdentityConfig = AgentConfig['identity']

const at = (paths: Paths, p: string) => (paths.root === '/' ? p : join(paths.root, p))

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

export async function collectOs(paths: Paths): Promise<OsRelease> {
  let text: string | undefined
  try {
    text =
      (await readOptional(at(paths, paths.osRelease))) ??
      (await readOptional(at(paths, '/usr/lib/os-release')))
  } catch {
    text = undefined
  }
  let arch: string
  try {
    arch = machine()
  } catch {
    arch = nodeArch()
  }
  return osReleaseFrom({ osReleaseText: text, kernel: release(), arch, platform: platform() })
}

/** Firmware version: configured value, else the first line of a file, else a command's output. */
export async function collectFirmwareVersion(
  identity: IdentityConfig,
  errors: string[],
): Promise<string | undefined> {
  if (identity.firmwareVersion) return identity.firmwareVersion
  if (identity.firmwareFile) {
    try {
      const line = (await readFile(identity.firmwareFile, 'utf8')).split('\n')[0]?.trim()
      if (line) return line.slice(0, 128)
      errors.push(`firmware file ${identity.firmwareFile} is empty`)
    } catch (err) {
      errors.push(`cannot read firmware file ${identity.firmwareFile}: ${(err as Error).message}`)
    }
  }
  if (identity.firmwareCommand) {
    try {
      const { stdout } = await run('/bin/sh', ['-c', identity.firmwareCommand], { timeout: 10_000 })
      const line = stdout.split('\n')[0]?.trim()
      if (line) return line.slice(0, 128)
      errors.push('firmware command printed nothing')
    } catch (err) {
      errors.push(`firmware command failed: ${(err as Error).message.split('\n')[0]}`)
    }
  }
  return undefined
}

async function hasRpm(): Promise<boolean> {
  for (const dir of ['/usr/bin', '/bin', '/usr/local/bin']) {
    try {
      await access(join(dir, 'rpm'))
      return true
    } catch {
      // try the next
    }
  }
  return false
}

export async function collectPackages(
  paths: Paths,
  os: OsRelease,
  errors: string[],
): Promise<PackageParse[]> {
  const parses: PackageParse[] = []
  const sources = [
    { file: paths.dpkgStatus, parse: parseDpkgStatus },
    { file: paths.apkInstalled, parse: parseApkInstalled },
  ]
  for (const { file, parse } of sources) {
    try {
      const text = await readOptional(at(paths, file))
      if (text !== undefined) parses.push(parse(text, os, file))
    } catch (err) {
      errors.push(`cannot read ${file}: ${(err as Error).message}`)
    }
  }
  if (paths.root === '/' && (await hasRpm())) {
    try {
      const { stdout } = await run('rpm', ['-qa', '--qf', RPM_QUERY_FORMAT], {
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      })
      parses.push(parseRpmQa(stdout, os))
    } catch (err) {
      errors.push(`rpm -qa failed: ${(err as Error).message.split('\n')[0]}`)
    }
  }
  return parses
}

export async function collectInventory(
  config: Pick<AgentConfig, 'paths' | 'identity'>,
  now: Date,
): Promise<Inventory> {
  const errors: string[] = []
  const os = await collectOs(config.paths)
  const firmwareVersion = await collectFirmwareVersion(config.identity, errors)
  const parses = await collectPackages(config.paths, os, errors)
  // The parsers slice their fields out of the whole file (1.3 MB for 750 dpkg packages), and V8 keeps
  // a sliced string's parent alive: copying the held inventory lets the file text be collected.
  return structuredClone(buildInventory({ ts: now, os, firmwareVersion, parses, errors }))
}
