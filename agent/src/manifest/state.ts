/**
 * What the agent remembers about manifests, in `<stateDir>/manifests/state.json`: the vendor trust it
 * holds (as provisioned, then as rotated), its rollback floor per vendor + product, and every manifest
 * it was offered with where it stands. Written atomically after every change.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { VendorTrust } from '@vigil/protocol'
import type { ManifestEntry, ManifestState } from '../schemas/manifest-state.js'
import { validators } from '../schemas/validators.js'
import { readJson, writeJsonAtomic } from '../state-files/json.js'

export type { ManifestEntry, ManifestState }

const validator = validators.manifestState

export function floorKey(vendor: string, product: string): string {
  return `${vendor}\u0000${product}`
}

export function statePath(stateDir: string): string {
  return join(stateDir, 'manifests', 'state.json')
}

export function artifactDir(stateDir: string, manifestId: string): string {
  return join(stateDir, 'manifests', 'artifacts', manifestId)
}

/**
 * The stored state; trust for a vendor the device has never held comes from the provisioned list
 * (config), but a vendor already held keeps its stored (possibly rotated) keys: editing the config
 * cannot replace keys a rotation already changed.
 */
export async function loadState(
  stateDir: string,
  provisioned: readonly VendorTrust[],
): Promise<{ state: ManifestState; problem?: string }> {
  const empty: ManifestState = { trust: [], floors: {}, manifests: {}, refused: [] }
  let state = empty
  let problem: string | undefined
  const raw = await readJson(statePath(stateDir)).catch((err: Error) => {
    problem = `unreadable manifest state: ${err.message}`
    return undefined
  })
  if (raw !== undefined) {
    if (validator.check(raw)) state = raw
    else problem = `manifest state ignored: ${validator.errors(raw, 5).join('; ')}`
  }
  const held = new Set(state.trust.map((t) => t.vendor))
  for (const t of provisioned) if (!held.has(t.vendor)) state.trust.push(t)
  return problem === undefined ? { state } : { state, problem }
}

export async function saveState(stateDir: string, state: ManifestState): Promise<void> {
  await writeJsonAtomic(statePath(stateDir), state)
}

const trustValidator = validators.trustFile

/** A provisioning file: a JSON array of VendorTrust (what `GET /api/v1/vendors/:id/trust` answers as `trust`). */
export async function readTrustFile(
  file: string,
): Promise<{ ok: true; trust: VendorTrust[] } | { ok: false; message: string }> {
  let value: unknown
  try {
    value = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    return { ok: false, message: `trust file ${file}: ${(err as Error).message}` }
  }
  if (!trustValidator.check(value)) {
    return { ok: false, message: `trust file ${file}: ${trustValidator.errors(value, 5).join('; ')}` }
  }
  return { ok: true, trust: value }
}
