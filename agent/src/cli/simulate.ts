/**
 * `vigil-agent simulate --count N --hub <url> --token=<t>`: N virtual gateways in this process, for
 * demos and load tests. The token must allow N uses (`POST /api/v1/enrollment-tokens {"uses": N}`);
 * gateways enrolled by an earlier run under --dir are reused and spend no use.
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AckedMessage } from '../agent.js'
import { collectOs } from '../collectors/sources.js'
import { loadAgentConfig } from '../config/load.js'
import { EnrollError } from '../enroll.js'
import { createLogger } from '../logger.js'
import { BUILTIN_PROFILES, loadCatalog } from '../simulate/catalog.js'
import { startFleet } from '../simulate/fleet.js'
import { buildImages } from '../simulate/images.js'
import { type Io, parse, UsageError } from './args.js'
import { onStopSignal } from './signals.js'

/** `http://127.0.0.1:8080/` → `127.0.0.1_8080`: a directory name for the hub's origin. */
export function hubSlug(hubUrl: string): string {
  const origin = URL.canParse(hubUrl) ? new URL(hubUrl).host : hubUrl
  return origin.replace(/[^\w.-]+/g, '_')
}

export async function simulateCommand(argv: string[], io: Io): Promise<number> {
  const a = parse(argv, {
    count: { type: 'string' },
    hub: { type: 'string' },
    token: { type: 'string' },
    dir: { type: 'string' },
    csaf: { type: 'string' },
    'dpkg-status': { type: 'string' },
    'telemetry-interval': { type: 'string' },
    'event-interval': { type: 'string' },
    'ack-log': { type: 'string' },
    json: { type: 'boolean' },
  })
  const count = Number(a.count)
  if (!Number.isInteger(count) || count < 1 || count > 100_000)
    throw new UsageError('--count must be an integer from 1 to 100000')
  if (!a.hub || !a.token)
    throw new UsageError(
      'simulate needs --hub <url> and --token=<token> (a token with at least --count uses)',
    )
  const interval = a['telemetry-interval'] ? Number(a['telemetry-interval']) : 10
  if (!Number.isInteger(interval) || interval < 1)
    throw new UsageError('--telemetry-interval must be a positive integer (seconds)')
  const eventInterval = a['event-interval'] ? Number(a['event-interval']) : undefined
  if (eventInterval !== undefined && !(Number.isFinite(eventInterval) && eventInterval > 0))
    throw new UsageError('--event-interval must be a positive number (seconds)')
  const config = loadAgentConfig({})
  // One default directory per hub, so that gateways enrolled with one hub are never offered to another.
  const baseDir = a.dir ?? join(tmpdir(), 'vigil-simulate', hubSlug(a.hub))
  const os = await collectOs(config.paths)
  const dpkgFile = a['dpkg-status'] ?? config.paths.dpkgStatus
  let dpkg: string
  try {
    dpkg = await readFile(dpkgFile, 'utf8')
  } catch (err) {
    throw new Error(
      `cannot read the package list ${dpkgFile} (${(err as Error).message}); pass --dpkg-status <file>`,
    )
  }
  const images = buildImages(dpkg, os.id === 'debian' ? os : { ...os, id: 'debian', versionId: '12' })
  const csafDir = a.csaf
  const catalog = csafDir ? await loadCatalog(csafDir) : []
  if (csafDir && catalog.length === 0)
    throw new UsageError(`--csaf ${csafDir}: no CSAF product tree with a usable version was found there`)
  const profiles = catalog.length > 0 ? catalog : BUILTIN_PROFILES
  const log = createLogger('warn', 'vigil-simulate')
  io.err(
    `simulating ${count} gateways: ${images.length} images from ${dpkgFile}, ${profiles.length} device profiles from ${csafDir ?? 'the built-in list (CISA ICS advisories)'}`,
  )
  // One line per state message a gateway got the broker's PUBACK for, written as it comes: an honest
  // record of what was acknowledged (a load test checks each is stored). Ended after the fleet stopped.
  const ackLog = a['ack-log'] ? await openAckLog(a['ack-log']) : undefined
  // Signals are handled from here on: one arriving while the fleet starts stops the start-up too.
  const abort = new AbortController()
  const stopRequested = onStopSignal(() => abort.abort())
  let fleet: Awaited<ReturnType<typeof startFleet>>
  try {
    fleet = await startFleet({
      count,
      hubUrl: a.hub,
      token: a.token,
      baseDir,
      images,
      profiles,
      telemetryIntervalSec: interval,
      ...(eventInterval ? { eventIntervalSec: eventInterval } : {}),
      ...(ackLog
        ? { onAcked: (id: string, m: AckedMessage) => ackLog.write(`${id} ${m.epoch} ${m.seq} ${m.kind}\n`) }
        : {}),
      log,
      signal: abort.signal,
      onProgress: (phase, done, total) => {
        if (done === total || done % 100 === 0) io.err(`${phase} ${done}/${total}`)
      },
    })
  } catch (err) {
    await closeAckLog(ackLog)
    if (err instanceof EnrollError && err.code === 'VIGIL_AGENT_ENROLL_REFUSED') {
      throw new Error(
        `${err.message}\n(does the token allow ${count} uses? create one with POST /api/v1/enrollment-tokens {"uses": ${count}}; gateways already enrolled under ${baseDir} are reused)`,
      )
    }
    throw err
  }
  const summary = {
    gateways: fleet.agents.length,
    dir: baseDir,
    deviceIds: fleet.agents.map((x) => x.deviceId),
  }
  if (a.json) io.out(JSON.stringify(summary))
  else io.out(`${fleet.agents.length} virtual gateways running (state in ${baseDir}); Ctrl-C stops them`)
  await stopRequested
  io.err('stopping the virtual gateways…')
  await fleet.stop()
  await closeAckLog(ackLog)
  return 0
}

async function openAckLog(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: 'a' })
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', (err) => reject(new Error(`--ack-log ${path}: ${err.message}`)))
  })
  return stream
}

async function closeAckLog(stream: WriteStream | undefined): Promise<void> {
  if (!stream) return
  await new Promise<void>((resolve, reject) =>
    stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
  )
}
