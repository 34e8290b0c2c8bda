/**
 * `pnpm --filter @vigil/hub run accuracy`: precision and recall per tier on the labelled corpus;
 * exits 1 when a threshold fails (issue 17 point 6). `-- --corpus testdata/matching-heldout.json` runs
 * the held-out cases instead (labelled blind, never tuned against).
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type CorpusCase, evaluate, reportText } from '../src/risk/advisories/accuracy.ts'

const at = process.argv.indexOf('--corpus')
const corpus =
  at > 0 && process.argv[at + 1] !== undefined
    ? resolve(process.argv[at + 1] as string)
    : fileURLToPath(new URL('../testdata/matching-corpus.json', import.meta.url))
const advisories = fileURLToPath(
  new URL('../../testdata/csaf-cisa/cisagov__CSAF/csaf_files/OT/white/', import.meta.url),
)
const { cases } = JSON.parse(readFileSync(corpus, 'utf8')) as { cases: CorpusCase[] }
const report = evaluate(cases, advisories)
process.stdout.write(`${reportText(report)}\n`)
process.exitCode = report.failures.length === 0 ? 0 : 1
