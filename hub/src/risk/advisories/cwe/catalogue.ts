/**
 * The CWE catalogue CSAF mandatory test 6.1.11 checks against: every weakness id with every name it
 * has carried in CWE 1.0 to the version in `catalogue.json` (newest name first). A CSAF document
 * written years ago names its CWE as the catalogue did then, so any of an id's names is accepted.
 * Refresh it from MITRE's XML with `hub/scripts/update-cwe.ts` (see ../README.md).
 *
 * Provenance: the names of CWE 1.0–4.17 were taken from the per-version copies of MITRE's catalogue in
 * @secvisogram/csaf-validator-lib 2.0.10 (`lib/cwec/*.js`, MIT), the CSAF validator BSI maintains.
 */
import data from './catalogue.json' with { type: 'json' }

export interface CweCatalogue {
  catalogue: 'CWE'
  /** The catalogue versions merged, e.g. "1.0-4.17". */
  versions: string
  latest: { version: string; date: string }
  /** MITRE's copyright designation and terms of use, reproduced as they require. */
  notice: string
  /** "CWE-79" → its names, newest first. */
  names: Record<string, string[]>
}

export const CWE: Readonly<CweCatalogue> = data as CweCatalogue

export type CweVerdict =
  | { ok: true }
  | { ok: false; unknownId: true }
  | { ok: false; unknownId: false; expected: string }

/** Whether `name` is (or was) the name of weakness `id`. */
export function checkCwe(id: string, name: string, catalogue: CweCatalogue = CWE): CweVerdict {
  const names = Object.hasOwn(catalogue.names, id) ? catalogue.names[id] : undefined
  if (names === undefined) return { ok: false, unknownId: true }
  if (names.includes(name)) return { ok: true }
  return { ok: false, unknownId: false, expected: names[0] ?? '' }
}
