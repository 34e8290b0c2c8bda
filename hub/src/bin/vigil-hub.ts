#!/usr/bin/env node
import { main } from '../cli/main.js'

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
    // Exit on our own once done; force it if a stray handle keeps the process alive.
    setTimeout(() => process.exit(code), 2000).unref()
  },
  (err: unknown) => {
    process.stderr.write(`vigil-hub: ${String(err)}\n`)
    process.exitCode = 1
  },
)
