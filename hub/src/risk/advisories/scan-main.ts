/** Standalone entry: `tsx hub/src/advisories/scan-main.ts --sbom <f> --advisories <d> [--json]`. */
import { scanCommand } from './cli.js'

process.exitCode = await scanCommand(process.argv.slice(2))
