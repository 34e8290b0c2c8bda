#!/usr/bin/env node
import { type Io, processIo, UsageError } from '../cli/args.js'
import { checkCommand } from '../cli/check.js'
import { doctorCommand } from '../cli/doctor.js'
import { enrollCommand } from '../cli/enroll.js'
import { runCommand } from '../cli/run.js'
import { simulateCommand } from '../cli/simulate.js'
import { statusCommand } from '../cli/status.js'
/** vigil-agent: the gateway agent daemon and the technician's CLI. Dispatches by subcommand. */
import { ConfigError, terminalPrefs } from '../config/load.js'

const COMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  enroll: enrollCommand,
  run: runCommand,
  status: statusCommand,
  check: checkCommand,
  doctor: doctorCommand,
  simulate: simulateCommand,
}

const USAGE = `usage: vigil-agent <command> [options]

  enroll --hub <url> --token <t> [--name <n>] [--dir <dir>]   enroll this device with a hub
  run [--dir <dir>] [--config <file>]                           run the agent daemon
  status [--dir <dir>] [--json]                                 connection, outbox, failing checks
  check [--json] [--sbom <file>]                                collect and show this device's posture now
  doctor [--dir <dir>] [--json]                                 why can't this device reach the hub?
  simulate --count <n> --hub <url> --token <t>                  run n virtual gateways

state directory: --dir, else VIGIL_AGENT_DIR, else /var/lib/vigil-agent`

async function main(argv: string[]): Promise<number> {
  const io = processIo(terminalPrefs().color)
  const [name, ...rest] = argv
  const cmd = name ? COMMANDS[name] : undefined
  if (!cmd) {
    io.err(
      name && name !== 'help' && name !== '--help'
        ? `unknown command ${JSON.stringify(name)}\n\n${USAGE}`
        : USAGE,
    )
    return name === 'help' || name === '--help' ? 0 : 2
  }
  try {
    return await cmd(rest, io)
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
