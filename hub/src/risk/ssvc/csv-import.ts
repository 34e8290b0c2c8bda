/**
 * Asset context from a CMMS / asset-inventory CSV export (issue 17 point 1). The operator maps CSV
 * columns to the device key and to context fields; every row is checked before anything is applied,
 * and one bad row refuses the import (each bad row says why), so an import is never half-applied.
 * An empty cell leaves the field as it is. Values are read case-insensitively, with spaces or
 * underscores for hyphens ("Life Sustaining" = life-sustaining); ePHI accepts yes/no/true/false/y/n/1/0.
 */
import {
  type ContextField,
  type ContextImport,
  type ContextImportRow,
  type DeviceContext,
  isSafeName,
} from '@vigil/protocol'
import { CONTEXT_FIELDS } from './context-db.js'

/** RFC 4180 records (quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"' && cell === '') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += c
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell)
    rows.push(row)
  }
  return rows
}

const ENUMS: Partial<Record<ContextField, readonly string[]>> = {
  clinicalFunction: [
    'life-sustaining',
    'therapeutic',
    'diagnostic',
    'monitoring',
    'clinical-support',
    'non-clinical',
  ],
  safetyImpact: ['negligible', 'marginal', 'critical', 'catastrophic'],
  missionImpact: ['degraded', 'mef-support-crippled', 'mef-failure', 'mission-failure'],
  exposure: ['small', 'controlled', 'open'],
}
const YES = new Set(['yes', 'y', 'true', '1'])
const NO = new Set(['no', 'n', 'false', '0'])

function parseValue(
  field: ContextField,
  raw: string,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  const text = raw.trim()
  const allowed = ENUMS[field]
  if (allowed !== undefined) {
    const v = text.toLowerCase().replace(/[\s_]+/g, '-')
    return allowed.includes(v)
      ? { ok: true, value: v }
      : { ok: false, reason: `${field} "${text}" is not one of ${allowed.join(', ')}` }
  }
  if (field === 'ephi') {
    const v = text.toLowerCase()
    if (YES.has(v)) return { ok: true, value: true }
    if (NO.has(v)) return { ok: true, value: false }
    return { ok: false, reason: `ephi "${text}" is not yes or no` }
  }
  if (text.length > 128 || !isSafeName(text))
    return {
      ok: false,
      reason: `${field} "${text.slice(0, 40)}" is not a plain name of at most 128 characters`,
    }
  return { ok: true, value: text }
}

export interface DeviceKeyIndex {
  /** Device ids a key names (id, name, hostname or serial); more than one = ambiguous. */
  lookup(key: string): string[]
}

/** Every row checked, nothing applied. */
export function planImport(req: ContextImport, devices: DeviceKeyIndex): ContextImportRow[] {
  const rows = parseCsv(req.csv)
  const header = (rows[0] ?? []).map((h) => h.trim())
  const col = (name: string) => header.indexOf(name)
  const out: ContextImportRow[] = []
  const missing = Object.entries(req.mapping)
    .filter(([, name]) => name !== undefined && col(name) < 0)
    .map(([f, name]) => `${f} → "${name}"`)
  if (missing.length > 0) {
    return [
      {
        line: 1,
        key: '',
        deviceId: null,
        context: {},
        error: `the header has no column for ${missing.join(', ')}`,
      },
    ]
  }
  const seen = new Map<string, number>()
  for (let i = 1; i < rows.length; i++) {
    const cells = rows[i] ?? []
    if (cells.every((c) => c.trim() === '')) continue
    const line = i + 1
    const key = (cells[col(req.mapping.device)] ?? '').trim()
    const errors: string[] = []
    const context: DeviceContext = {}
    for (const f of CONTEXT_FIELDS) {
      const name = req.mapping[f]
      if (name === undefined) continue
      const raw = cells[col(name)] ?? ''
      if (raw.trim() === '') continue
      const v = parseValue(f, raw)
      if (v.ok) (context as Record<string, unknown>)[f] = v.value
      else errors.push(v.reason)
    }
    let deviceId: string | null = null
    if (key === '') errors.unshift(`no device in column "${req.mapping.device}"`)
    else {
      const ids = devices.lookup(key)
      if (ids.length === 0) errors.unshift(`no device "${key}"`)
      else if (ids.length > 1) errors.unshift(`"${key}" names ${ids.length} devices`)
      else {
        deviceId = ids[0] ?? null
        const twice = deviceId !== null ? seen.get(deviceId) : undefined
        if (twice !== undefined) errors.unshift(`device "${key}" is also on line ${twice}`)
        else if (deviceId !== null) seen.set(deviceId, line)
      }
    }
    const row: ContextImportRow = { line, key, deviceId, context }
    if (errors.length > 0) row.error = errors.join('; ')
    out.push(row)
  }
  return out
}
