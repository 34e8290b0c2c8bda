/**
 * `vigil-hub scan`: `hub/src/cli/main.ts` dispatches here. It answers an exit code instead of exiting,
 * and writes through `io` so tests can capture the output. (`vigil-hub import` is
 * `correlation/import-cli.ts` or, while a hub runs, `feeds/cli.ts`.)
 */
import { readFile, stat } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { correlate } from './correlate.js'
import { importAdvisories } from './import.js'
import { parseGuardedJson } from './json-guard.js'
import { findingsJson, findingsTable } from './report.js'
import { parseSbom } from './sbom.js'

export interface CommandIo {
  stdout?: (text: string) => void
  stderr?: (text: string) => void
}

const SCAN_USAGE = 'usage: vigil-hub scan --sbom <file> --advisories <dir> [--json]'
const MAX_SBOM_BYTES = 64 * 1024 * 1024

function writers(io: CommandIo) {
  return {
    out: io.stdout ?? ((t: string) => process.stdout.write(t)),
    err: io.stderr ?? ((t: string) => process.stderr.write(t)),
  }
}

/** Exit 0 without findings, 1 with findings, 2 on error (said on stderr). */
export async function scanCommand(argv: string[], io: CommandIo = {}): Promise<number> {
  const { out, err } = writers(io)
  const args = argv[0] === 'scan' ? argv.slice(1) : argv
  let values: { sbom?: string; advisories?: string; json?: boolean }
  try {
    ;({ values } = parseArgs({
      args,
      options: { sbom: { type: 'string' }, advisories: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }))
  } catch (e) {
    err(`vigil-hub scan: ${(e as Error).message}\n${SCAN_USAGE}\n`)
    return 2
  }
  if (values.sbom === undefined || values.advisories === undefined) {
    err(`vigil-hub scan: --sbom and --advisories are required\n${SCAN_USAGE}\n`)
    return 2
  }
  try {
    const dir = await stat(values.advisories).catch(() => null)
    if (dir === null || !dir.isDirectory()) {
      err(`vigil-hub scan: advisories directory not found: ${values.advisories}\n`)
      return 2
    }
    const sbomStat = await stat(values.sbom).catch(() => null)
    if (sbomStat === null || !sbomStat.isFile()) {
      err(`vigil-hub scan: SBOM file not found: ${values.sbom}\n`)
      return 2
    }
    if (sbomStat.size > MAX_SBOM_BYTES) {
      err(`vigil-hub scan: SBOM of ${sbomStat.size} bytes exceeds the limit of ${MAX_SBOM_BYTES}\n`)
      return 2
    }
    const json = parseGuardedJson(await readFile(values.sbom, 'utf8'), 256)
    if (!json.ok) {
      err(`vigil-hub scan: ${values.sbom}: ${json.reason}\n`)
      return 2
    }
    const sbom = parseSbom(json.value)
    if (!sbom.ok) {
      err(`vigil-hub scan: ${values.sbom}: ${sbom.reason}\n`)
      return 2
    }
    for (const w of sbom.warnings) err(`warning: ${w}\n`)
    const summary = await importAdvisories([values.advisories])
    for (const r of summary.rejected) err(`warning: advisory refused: ${r.file}: ${r.reason}\n`)
    if (summary.index === null || summary.index.size === 0) err('warning: no advisories found\n')
    const findings =
      summary.index === null
        ? []
        : correlate(sbom.target, summary.index, { kev: summary.kev, epss: summary.epss })
    out(values.json ? `${findingsJson(findings)}\n` : `${findingsTable(findings)}\n`)
    return findings.length > 0 ? 1 : 0
  } catch (e) {
    err(`vigil-hub scan: ${(e as Error).message}\n`)
    return 2
  }
}
