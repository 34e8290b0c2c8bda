/**
 * The `vigil-hub` command line: a lookup table from subcommand to handler, one try/catch. `scan` and
 * `import` live with the advisories feature (`../risk/advisories/cli.js`), loaded on demand.
 */
import { ConfigError, type HubConfig, loadHubConfig } from '../config.js'
import { FEEDS_HELP } from '../feeds/cli.js'
import { TRUST_HELP } from '../manifests/trust/help.js'
import { TOKEN_HELP, tokenCommand, USER_HELP, userCommand } from './admin.js'
import { UsageError } from './args.js'
import { MIGRATE_HELP, migrateCommand } from './migrate.js'
import { SERVE_HELP, serveCommand } from './serve.js'
import {
  BACKUP_HELP,
  backupCommand,
  CHECK_HELP,
  checkCommand,
  RESTORE_HELP,
  restoreCommand,
} from './storage.js'

export const HELP = `Usage: vigil-hub <command> [options]

Commands:
  serve [--local-agent]        run the hub (see: vigil-hub serve --help)
  user add|passwd|role …       manage users in the data directory
  token create [--uses n] …    create an enrollment token
  scan --sbom <f> --advisories <dir> [--json]   offline vulnerability scan of an SBOM
  backup <file>                consistent backup of the data directory (also of a running hub)
  restore <file>               restore a backup (hub stopped)
  check [--repair]             find (and repair what it safely can) damage in the data directory
  migrate --to postgres://…    copy the data directory into PostgreSQL and verify the counts
  import …                     import advisories (through the running hub, else into its data directory)
  trust init|delegate …        operator root of trust and vendor delegations (see: vigil-hub trust --help)
  feeds list|add|sync|export|import …   advisory feeds of the running hub (see: vigil-hub feeds --help)

Run \`vigil-hub <command> --help\` for details.`

interface Command {
  help: string
  /** Whether the command needs the hub configuration (scan runs offline without it). */
  config: boolean
  run(argv: string[], config: HubConfig | undefined): Promise<number>
}

interface AdvisoriesCli {
  scanCommand?(argv: string[]): Promise<number>
}

async function advisoriesCli(): Promise<AdvisoriesCli | undefined> {
  // A variable specifier keeps the compiler from requiring the module: the feature may not exist yet.
  const specifier = '../risk/advisories/cli.js'
  try {
    return (await import(specifier)) as AdvisoriesCli
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined
    throw err
  }
}

const notAvailable = (name: string) => {
  process.stderr.write(`vigil-hub ${name}: not available in this build (the advisories feature is missing)\n`)
  return 2
}

const COMMANDS: Record<string, Command> = {
  serve: { help: SERVE_HELP, config: true, run: (argv, config) => serveCommand(argv, required(config)) },
  user: { help: USER_HELP, config: true, run: (argv, config) => userCommand(argv, required(config)) },
  token: { help: TOKEN_HELP, config: true, run: (argv, config) => tokenCommand(argv, required(config)) },
  backup: { help: BACKUP_HELP, config: true, run: (argv, config) => backupCommand(argv, required(config)) },
  restore: {
    help: RESTORE_HELP,
    config: true,
    run: (argv, config) => restoreCommand(argv, required(config)),
  },
  check: { help: CHECK_HELP, config: true, run: (argv, config) => checkCommand(argv, required(config)) },
  migrate: {
    help: MIGRATE_HELP,
    config: true,
    run: (argv, config) => migrateCommand(argv, required(config)),
  },
  scan: {
    help: `Usage: vigil-hub scan --sbom <file> --advisories <dir> [--json]

Offline vulnerability scan of a CycloneDX 1.5/1.6 JSON SBOM (metadata.component = the device; components
with purls) against a folder of OSV, CSAF 2.0 and CISA KEV files. Needs no hub, store or network.
  --json   print {"findings":[…]} instead of a table
Exit codes: 0 no findings, 1 findings, 2 error (said on stderr).`,
    config: false,
    async run(argv) {
      const cli = await advisoriesCli()
      return cli?.scanCommand ? cli.scanCommand(argv) : notAvailable('scan')
    },
  },
  import: {
    help: `Usage: vigil-hub import <file|dir>…

Imports OSV, CSAF 2.0, KEV and EPSS files into the data directory's advisory-db (VIGIL_DATA_DIR,
default ./data), where the hub picks them up. Exit codes: 0 done, 1 something was rejected, 2 usage.`,
    config: true,
    async run(argv, config) {
      const paths = (argv[0] === 'import' ? argv.slice(1) : argv).filter((a) => a !== '')
      // A running hub owns its store: the files go through its API and reach its correlation at once.
      if (paths.length > 0 && !paths.some((p) => p.startsWith('-'))) {
        const { importThroughHub } = await import('../feeds/cli.js')
        const code = await importThroughHub(paths, required(config))
        if (code !== null) return code
      }
      // No hub answers: into the data directory, loaded when a hub starts on it.
      const { importIntoDataDir } = await import('../risk/correlation/import-cli.js')
      return importIntoDataDir(argv, required(config))
    },
  },
  trust: {
    help: TRUST_HELP,
    config: true,
    async run(argv, config) {
      const { trustCommand } = await import('../manifests/trust/cli.js')
      return trustCommand(argv, required(config))
    },
  },
  feeds: {
    help: FEEDS_HELP,
    config: true,
    async run(argv, config) {
      const { feedsCommand } = await import('../feeds/cli.js')
      return feedsCommand(argv, required(config))
    },
  },
}

/** Every subcommand, for the help and for tests that walk the table. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS)

function required(config: HubConfig | undefined): HubConfig {
  if (!config) throw new Error('configuration not loaded')
  return config
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`)
    return name ? 0 : 2
  }
  const command = COMMANDS[name]
  if (!command) {
    process.stderr.write(`vigil-hub: unknown command ${name}\n\n${HELP}\n`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`)
    return 0
  }
  try {
    const config = command.config ? loadHubConfig() : undefined
    return await command.run(rest, config)
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`vigil-hub ${name}: ${(err as Error).message}\n\n${command.help}\n`)
      return 2
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`vigil-hub: ${err.message}\n`)
      return 2
    }
    process.stderr.write(`vigil-hub ${name}: ${(err as Error).message}\n`)
    return 1
  }
}
