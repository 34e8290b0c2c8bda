#!/usr/bin/env node
/** vigil-vendor entry point: runs `main` on the process's arguments and streams. */
import type { Io } from './io.js'
import { main } from './main.js'

const io: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}

process.exitCode = await main(process.argv.slice(2), io)
