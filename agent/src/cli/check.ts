/**
 * `vigil-agent check [--json] [--sbom <file>]`: runs every collector now and prints this device's
 * posture (identity, OS, packages, hardening) without a hub.
 */
import { writeFile } from 'node:fs/promises'
import type { CheckResult, DeviceIdentity, Inventory } from '@vigil/protocol'
import { defaultCollectors } from '../collectors/index.js'
import { loadAgentConfig } from '../config/load.js'
import { DEFAULT_BASELINE, loadBaselineFile, validateBaseline } from '../hardening/baseline.js'
import { runBaseline } from '../hardening/run.js'
import { buildSbom } from '../sbom.js'
import { readJson } from '../state-files/json.js'
import { memoryPath } from '../state-files/paths.js'
import { type Io, parse } from './args.js'
import { keyValues, paint, table } from './format.js'

export interface Posture {
  identity: DeviceIdentity
  inventory: Inventory
  baseline: { id: string; version: number; name: string }
  hardening: CheckResult[]
}

export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const a = parse(argv, {
    dir: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
    sbom: { type: 'string' },
  })
  const config = loadAgentConfig({
    ...(a.dir ? { stateDir: a.dir } : {}),
    ...(a.config ? { file: a.config } : {}),
  })
  const collectors = defaultCollectors(config)
  const inventory = await collectors.inventory(new Date())
  const identity = await collectors.identity(inventory)
  let baseline = DEFAULT_BASELINE
  const mem = (await readJson(memoryPath(config.stateDir)).catch(() => undefined)) as
    | { baseline?: unknown }
    | undefined
  const fromHub = mem?.baseline ? validateBaseline(mem.baseline) : undefined
  if (fromHub?.ok) baseline = fromHub.baseline
  else if (config.baselineFile) {
    const r = await loadBaselineFile(config.baselineFile)
    if (r.ok) baseline = r.baseline
    else io.err(`local baseline refused, using the default: ${r.message}`)
  }
  const hardening = await runBaseline(baseline, collectors.checkEnv)
  const posture: Posture = {
    identity,
    inventory,
    baseline: { id: baseline.id, version: baseline.version, name: baseline.name },
    hardening,
  }
  if (a.sbom) {
    await writeFile(a.sbom, buildSbom(identity, inventory))
    if (!a.json) io.out(`SBOM (CycloneDX 1.6) written to ${a.sbom}`)
  }
  if (a.json) {
    io.out(JSON.stringify(posture, null, 2))
    return 0
  }
  const p = paint(io.color)
  const os = inventory.os
  io.out(
    keyValues([
      ['hostname', identity.hostname],
      ['vendor / model', `${identity.vendor ?? '-'} / ${identity.model ?? '-'}`],
      ['firmware', inventory.firmwareVersion ?? '-'],
      [
        'os',
        `${os.prettyName ?? os.id} (${os.id} ${os.versionId ?? ''}${os.codename ? ` ${os.codename}` : ''})`,
      ],
      ['kernel', `${os.kernel} ${os.arch}`],
      ['packages', `${inventory.packages.length} installed (inventory ${inventory.hash.slice(0, 12)})`],
    ]),
  )
  if (inventory.errors?.length) io.out(p('yellow', `collector errors:\n  ${inventory.errors.join('\n  ')}`))
  const count = (status: CheckResult['status']) => hardening.filter((r) => r.status === status).length
  const applicable = hardening.length - count('not_applicable')
  const extra = [
    count('error') > 0 ? `${count('error')} could not run` : '',
    count('not_applicable') > 0 ? `${count('not_applicable')} not applicable` : '',
  ].filter(Boolean)
  io.out(
    `\n${p('bold', `hardening: ${baseline.name} v${baseline.version}`)} — ${count('pass')}/${applicable} pass${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`,
  )
  const colour = (s: CheckResult['status']) =>
    s === 'pass' ? p('green', s) : s === 'fail' ? p('red', s) : s === 'error' ? p('yellow', s) : p('gray', s)
  io.out(
    table(
      ['check', 'severity', 'status', 'evidence'],
      hardening.map((r) => [r.id, r.severity, colour(r.status), r.evidence.slice(0, 90)]),
    ),
  )
  return 0
}
