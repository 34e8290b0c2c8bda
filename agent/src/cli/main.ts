/**
 * The `vigil-agent` command line: a lookup table from subcommand to its help and handler (loaded on
 * demand, so `status` does not pay for the collectors' imports), one try/catch.
 */
import { ConfigError } from '../config/load.js'
import { type Io, UsageError } from './args.js'

type Command = (argv: string[], io: Io) => Promise<number>

interface Entry {
  /** One line for the overview: options, then what it does. */
  line: string
  /** `vigil-agent <name> --help` */
  help: string
  load(): Promise<Command>
}

const DIR = `  --dir <dir>      state directory (else VIGIL_AGENT_DIR, else /var/lib/vigil-agent)
  --config <file>  agent.json (else <dir>/agent.json when it exists)`

const COMMANDS: Record<string, Entry> = {
  enroll: {
    line: 'enroll --hub <url> --token=<t> [--name <n>] [--dir <dir>]   enroll this device with a hub',
    help: `Enrolls this device with a hub: POST <hub>/api/v1/enroll with a token an operator created, and
keeps the device id and MQTT credentials in <dir>/credentials.json. Prints the device id.
  --hub <url>      the hub's HTTP address, e.g. http://hub.example:8080
  --token=<t>      an enrollment token (dashboard Settings, or vigil-hub token create)
  --name <n>       the device's name (default: the host name)
  --json           print {"deviceId",…} instead
${DIR}`,
    load: async () => (await import('./enroll.js')).enrollCommand,
  },
  run: {
    line: 'run [--dir <dir>] [--config <file>]                           run the agent daemon',
    help: `Runs the agent daemon until SIGTERM/SIGINT: collects, reports to the hub, answers its commands.
${DIR}`,
    load: async () => (await import('./run.js')).runCommand,
  },
  status: {
    line: 'status [--dir <dir>] [--json]                                 connection, outbox, failing checks',
    help: `Shows this device's identity, hub connection, last report, queued messages, failing checks and
manifests, from the state the daemon keeps (works with the daemon or the hub down).
  --json           machine-readable
${DIR}`,
    load: async () => (await import('./status.js')).statusCommand,
  },
  check: {
    line: "check [--json] [--sbom <file>]                                collect and show this device's posture now",
    help: `Collects now and shows this device's posture: firmware, OS, packages, hardening checks.
  --json           machine-readable
  --sbom <file>    also write a CycloneDX SBOM of the inventory
${DIR}`,
    load: async () => (await import('./check.js')).checkCommand,
  },
  doctor: {
    line: "doctor [--dir <dir>] [--json]                                 why can't this device reach the hub?",
    help: `Explains why this device cannot reach the hub: enrollment, DNS, TCP to the MQTT address, TLS,
credentials, the daemon. Exit 1 when a check fails.
  --json           machine-readable
${DIR}`,
    load: async () => (await import('./doctor.js')).doctorCommand,
  },
  simulate: {
    line: 'simulate --count <n> --hub <url> --token=<t> [--dir <dir>]    run n virtual gateways (token with n uses)',
    help: `Runs n virtual gateways in this process (real agents with simulated collectors) until Ctrl-C.
  --count <n>                 how many (1 to 100000)
  --hub <url> --token=<t>     the hub, and a token allowing n uses
  --dir <dir>                 their state (default: $TMPDIR/vigil-simulate/<hub host_port>); gateways
                              enrolled there by an earlier run with the same hub are reused and spend
                              no token use; enrolled with another hub, they are refused
  --csaf <dir>                derive device models from these CSAF files (default: built-in profiles)
  --dpkg-status <file>        package list the images are built from (default: this machine's)
  --telemetry-interval <s>    seconds between telemetry samples (default 10)
  --event-interval <s>        each gateway also records an "info" event this often (QoS 1, outbox)
  --ack-log <file>            append "<deviceId> <epoch> <seq> <kind>" for each state message the
                              broker acknowledged (PUBACK); complete once simulate exited on a signal
  --json                      print {"gateways","dir","deviceIds"} once running`,
    load: async () => (await import('./simulate.js')).simulateCommand,
  },
}

/** Every subcommand, for tests that walk the table. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS)

export const USAGE = `usage: vigil-agent <command> [options]   (vigil-agent <command> --help for details)

${Object.entries(COMMANDS)
  .map(([, c]) => `  ${c.line}`)
  .join('\n')}

state directory: --dir, else VIGIL_AGENT_DIR, else /var/lib/vigil-agent`

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv
  const command = name ? COMMANDS[name] : undefined
  if (!command) {
    const help = name === undefined || name === 'help' || name === '--help' || name === '-h'
    if (help) io.out(USAGE)
    else io.err(`unknown command ${JSON.stringify(name)}\n\n${USAGE}`)
    return help ? 0 : 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: vigil-agent ${command.line.replace(/\s{3,}.*$/, '')}\n\n${command.help}`)
    return 0
  }
  try {
    return await (await command.load())(rest, io)
  } catch (err) {
    if (err instanceof UsageError) io.err(`vigil-agent ${name}: ${err.message}\n\n${USAGE}`)
    else if (err instanceof ConfigError) io.err(err.message)
    else io.err(`vigil-agent ${name}: ${(err as Error).message}`)
    return err instanceof UsageError ? 2 : 1
  }
}
