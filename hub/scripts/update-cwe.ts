/**
 * Merges MITRE's CWE catalogue into `src/risk/advisories/cwe/catalogue.json`:
 *
 *   pnpm --filter @vigil/hub run update-cwe "$PWD/cwec_v4.18.xml"
 *
 * Download `cwec_latest.xml.zip` from https://cwe.mitre.org/data/downloads.html and unzip it first.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { CWE } from '../src/risk/advisories/cwe/catalogue.ts'
import { mergeCweXml, serializeCweCatalogue } from '../src/risk/advisories/cwe/merge.ts'

const [xmlPath] = process.argv.slice(2)
if (xmlPath === undefined) {
  console.error('usage: update-cwe.ts <cwec_vX.Y.xml>')
  process.exit(2)
}
const target = fileURLToPath(new URL('../src/risk/advisories/cwe/catalogue.json', import.meta.url))
const before = Object.keys(CWE.names).length
const merged = mergeCweXml(CWE, readFileSync(xmlPath, 'utf8'))
writeFileSync(`${target}.tmp`, serializeCweCatalogue(merged))
renameSync(`${target}.tmp`, target)
console.log(
  `CWE ${merged.versions}: ${Object.keys(merged.names).length} weaknesses (${Object.keys(merged.names).length - before} new)`,
)
