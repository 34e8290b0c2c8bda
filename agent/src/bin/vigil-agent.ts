#!/usr/bin/env node
/** vigil-agent: the gateway agent daemon and the technician's CLI. Dispatches by subcommand. */
import './v8-flags.js'
import { processIo } from '../cli/args.js'
import { main } from '../cli/main.js'
import { terminalPrefs } from '../config/load.js'

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
})

/** Commands that run until a signal: once they have stopped in order, nothing may keep the process. */
const DAEMONS = new Set(['run', 'simulate'])

main(process.argv.slice(2), processIo(terminalPrefs().color)).then(
  (code) => {
    process.exitCode = code
    if (DAEMONS.has(process.argv[2] ?? '')) setTimeout(() => process.exit(code), 1000).unref()
  },
  (err: Error) => {
    process.stderr.write(`vigil-agent: ${err.message}\n`)
    process.exitCode = 1
  },
)
