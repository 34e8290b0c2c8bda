/**
 * The vigil-vendor program, minus the process: what a device maker needs to publish a patch: keygen, sign, verify, push (and
 * rotate / keyid). Exit codes: 0 done, 1 refused (invalid manifest, failed verification, hub said
 * no), 2 usage, I/O, network or hub failure.
 */
import { keygen } from './commands/keygen.js'
import { keyid } from './commands/keyid.js'
import { push } from './commands/push.js'
import { rotate } from './commands/rotate.js'
import { sign } from './commands/sign.js'
import { verify } from './commands/verify.js'
import { type Command, EXIT, type ExitCode, type Io, UsageError } from './io.js'

const COMMANDS: Record<string, Command> = { keygen, sign, verify, push, rotate, keyid }

/** Every subcommand, for tests that walk the table. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS)

function overview(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  return [
    'vigil-vendor — sign and publish Vigil patch manifests',
    '',
    'usage: vigil-vendor <command> [options]   (vigil-vendor <command> --help for details)',
    '',
    ...rows,
    '',
    'exit codes: 0 done, 1 refused, 2 usage or I/O error',
  ].join('\n')
}

export async function main(argv: string[], io: Io): Promise<ExitCode> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ;(name === undefined ? io.err : io.out)(overview())
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  const command = COMMANDS[name]
  if (command === undefined) {
    io.err(`unknown command "${name}"\n\n${overview()}`)
    return EXIT.usage
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage)
    return EXIT.ok
  }
  try {
    return await command.run(rest, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`vigil-vendor ${name}: ${err.message}\n\n${command.usage}`)
      return EXIT.usage
    }
    io.err(`vigil-vendor ${name}: ${(err as Error).message}`)
    return EXIT.usage
  }
}
