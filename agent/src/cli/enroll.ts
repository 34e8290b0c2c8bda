/** `vigil-agent enroll --hub <url> --token=<t> [--name <n>] [--dir <stateDir>]` */
import { loadAgentConfig } from '../config/load.js'
import { enrollDevice } from '../enroll.js'
import { type Io, parse, UsageError } from './args.js'

export async function enrollCommand(argv: string[], io: Io): Promise<number> {
  const a = parse(argv, {
    hub: { type: 'string' },
    token: { type: 'string' },
    name: { type: 'string' },
    dir: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
  })
  if (!a.hub || !a.token) throw new UsageError('enroll needs --hub <url> and --token=<token>')
  const config = loadAgentConfig({
    ...(a.dir ? { stateDir: a.dir } : {}),
    ...(a.config ? { file: a.config } : {}),
  })
  const creds = await enrollDevice({
    hubUrl: a.hub,
    token: a.token,
    dir: config.stateDir,
    ...((a.name ?? config.name) ? { name: a.name ?? config.name } : {}),
  })
  const fp = creds.rootFingerprint
  if (a.json)
    io.out(
      JSON.stringify({
        deviceId: creds.deviceId,
        hubUrl: creds.hubUrl,
        dir: config.stateDir,
        ...(fp ? { rootFingerprint: fp } : {}),
      }),
    )
  else {
    io.out(creds.deviceId)
    // Compare with what `vigil-hub trust init` printed: the device now trusts this operator root.
    if (fp) io.out(`root fingerprint: ${fp}`)
  }
  return 0
}
