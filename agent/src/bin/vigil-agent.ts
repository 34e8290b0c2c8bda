#!/usr/bin/env node
/** vigil-agent: the gateway agent daemon and the technician's CLI. Dispatches by subcommand. */
import './v8-flags.js'
import { type Io, processIo, UsageError } from '../cli/args.js'
import { ConfigError, terminalPrefs } from '../config/load.js'

type Command = (argv: string[], io: Io) => Promise<number>

/** Subcommands, loaded on demand so `status` does not pay for the collectors' imports. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  enroll: async () => (await import('../cli/enroll.js')).enrollCommand,
  run: async () => (await import('../cli/run.js')).runCommand,
  status: async () => (await import('../cli/status.js')).statusCommand,
  check: async () => (await import('../cli/check.js')).checkCommand,
  doctor: async () => (await import('../cli/doctor.js')).doctorCommand,
  simulate: async () => (await import('../cli/simulate.js')).simulateCommand,
}

const USAGE = `usage: vigil-agent <command> [options]

  enroll --hub <url> --token <t> [--name <n>] [--dir <dir>]   enroll this device with a hub
  run [--dir <dir>] [--config <file>]                           run the agent daemon
  status [--dir <dir>] [--json]                                 connection, outbox, failing checks
  check [--json] [--sbom <file>]                                collect and show this device's posture now
  doctor [--dir <dir>] [--json]                                 why can't this device reach the hub?
  simulate --count <n> --hub <url> --token <t> [--dir <dir>]    run n virtual gateways (token with n uses)

state directory: --dir, else VIGIL_AGENT_DIR, else /var/lib/vigil-agent`

async function main(argv: string[]): Promise<number> {
  const io = processIo(terminalPrefs().color)
  const [name, ...rest] = argv
  const load = name ? COMMANDS[name] : undefined
  if (!load) {
    const help = name === undefined || name === 'help' || name === '--help'
    if (help) io.out(USAGE)
    else io.err(`unknown command ${JSON.stringify(name)}\n\n${USAGE}`)
    return help ? 0 : 2
  }
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err
  })
  try {
    return await (await load())(rest, io)
  } catch (err) {
    if (err instanceof UsageError) io.err(`vigil-agent ${name}: ${err.message}\n\n${USAGE}`)
    else if (err instanceof ConfigError) io.err(err.message)
    else io.err(`vigil-agent ${name}: ${(err as Error).message}`)
    return err instanceof UsageError ? 2 : 1
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: Error) => {
    process.stderr.write(`vigil-agent: ${err.message}\n`)
    process.exitCode = 1
  },
)
