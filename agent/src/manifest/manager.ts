/**
 * The agent's side of signed manifests. It never trusts the hub about content: every delivered
 * manifest is verified against the vendor keys this device holds, its expiry and this device's own
 * rollback floor; artifacts are checked (size, SHA-256) while they stream in, before anything else
 * touches them; then the install hook runs (none: "verified, awaiting install"). Each step is reported
 * on the device's `rollout` topic. Key rotations are accepted only when signed by the current keys.
 */

import { existsSync } from 'node:fs'
import type {
  ApplyTrustResult,
  CommandRequest,
  RolloutState,
  RolloutStatus,
  TrustBundle,
  TrustHeld,
  VendorTrust,
} from '@vigil/protocol'
import type * as Signing from '@vigil/protocol/signing'
import { PROTOCOL_VERSION } from '@vigil/protocol/wire'
import { CommandError } from '../commands/dispatch.js'
import type { Logger } from '../logger.js'
import type { AgentConfig } from '../schemas/agent-config.js'
import { readJson } from '../state-files/json.js'
import { trustBundlePath, vendorTrustPath } from '../state-files/paths.js'
import { runInstallHook } from './hook.js'
import {
  artifactDir,
  floorKey,
  loadState,
  type ManifestEntry,
  type ManifestState,
  readTrustFile,
  saveState,
} from './state.js'
import { held } from './trust-held.js'

type InstallRequest = Extract<CommandRequest, { cmd: 'install-manifest' }>
type RotationRequest = Extract<CommandRequest, { cmd: 'apply-key-rotation' }>
type TrustRequest = Extract<CommandRequest, { cmd: 'apply-trust' }>

export interface ManifestManagerOptions {
  stateDir: string
  /** Trust as provisioned is `config.trust` plus the vendors listed in `config.trustFile`. */
  config: AgentConfig['manifests']
  now(): Date
  report(status: RolloutStatus): Promise<void>
  /** Called after the install hook succeeded (the agent re-reads its inventory). */
  onInstalled?(entry: ManifestEntry): Promise<unknown>
  log: Logger
}

export interface ManifestSummary {
  root?: { version: number; fingerprint: string }
  delegations: Record<string, number>
  trustRefused: NonNullable<ManifestState['trustRefused']>
  trusted: { vendor: string; keys: number; threshold: number; sequence: number }[]
  pending: ManifestEntry[]
  installed: ManifestEntry[]
  failed: ManifestEntry[]
  refused: ManifestState['refused']
}

const PENDING: ReadonlySet<RolloutState> = new Set(['offered', 'verified', 'downloading', 'awaiting-install'])
const MAX_REFUSED = 20

/**
 * Signature checks, the trust chain, version comparison and the artifact download are needed only when
 * a manifest, a key rotation or trust statements arrive: loaded then, not when the daemon starts (they
 * cost resident memory the agent's < 60 MB budget cannot spare for something most devices rarely use).
 */
let signingModule: Promise<typeof Signing> | undefined
const signing = () => (signingModule ??= import('@vigil/protocol/signing'))
const trustChain = () => import('./trust-chain.js')
const versions = () => import('@vigil/protocol/versions')

export function createManifestManager(o: ManifestManagerOptions) {
  let state: ManifestState = { trust: [], floors: {}, manifests: {}, refused: [] }
  let queue: Promise<unknown> = Promise.resolve()
  const iso = () => o.now().toISOString()
  const pin = () => (o.config.rootFingerprint ? { pin: o.config.rootFingerprint } : {})
  const save = () => saveState(o.stateDir, state)

  async function report(manifestId: string, s: RolloutState, extra: { code?: string; reason?: string } = {}) {
    const status: RolloutStatus = {
      v: PROTOCOL_VERSION,
      ts: iso(),
      manifestId: manifestId.slice(0, 128),
      state: s,
    }
    if (extra.code) status.code = extra.code.slice(0, 64)
    if (extra.reason) status.reason = extra.reason.slice(0, 2048)
    await o.report(status)
  }

  async function refuse(manifestId: string, code: string, reason: string): Promise<never> {
    o.log.warn(`manifest ${manifestId} refused: ${code}: ${reason}`)
    state.refused = [...state.refused, { manifestId, code, reason: reason.slice(0, 2048), at: iso() }].slice(
      -MAX_REFUSED,
    )
    await save()
    await report(manifestId, 'rejected', { code, reason })
    throw new CommandError(code, reason)
  }

  async function setState(
    entry: ManifestEntry,
    s: RolloutState,
    extra: { code?: string; reason?: string } = {},
  ) {
    const next: ManifestEntry = { ...entry, state: s, updatedAt: iso() }
    delete next.code
    delete next.reason
    if (extra.code) next.code = extra.code
    if (extra.reason) next.reason = extra.reason
    state.manifests[entry.id] = next
    await save()
    await report(entry.id, s, extra)
    return next
  }

  async function fetchAndInstall(
    first: ManifestEntry,
    payload: Parameters<typeof runInstallHook>[0]['payload'],
  ) {
    let entry = await setState(first, 'downloading')
    const dir = artifactDir(o.stateDir, entry.id)
    const artifacts: ManifestEntry['artifacts'] = []
    for (const a of payload.artifacts) {
      // Loaded when a manifest arrives, not at daemon start (resident memory budget).
      const { downloadArtifact } = await import('./download.js')
      const r = await downloadArtifact(a, dir, o.config.downloadTimeoutSec * 1000)
      if (!r.ok) {
        await setState(entry, 'failed', { code: r.code, reason: r.message })
        return
      }
      artifacts.push({ name: a.name, path: r.path, sha256: r.sha256, size: r.size })
    }
    entry = { ...entry, artifacts }
    const hook = o.config.installHook
    if (hook === undefined) {
      await setState(entry, 'awaiting-install', {
        reason: 'verified, awaiting install (no install hook configured)',
      })
      return
    }
    const h = await runInstallHook({
      command: hook,
      manifestId: entry.id,
      payload,
      artifactDir: dir,
      artifacts: artifacts.map((a) => a.path),
      timeoutMs: o.config.hookTimeoutSec * 1000,
    })
    if (!h.ok) {
      await setState(entry, 'failed', { code: h.code, reason: h.message })
      return
    }
    entry = await setState(entry, 'installed')
    await o.onInstalled?.(entry)
  }

  return {
    async start(): Promise<void> {
      const provisioned = [...(o.config.trust ?? [])]
      if (o.config.trustFile) {
        const file = await readTrustFile(o.config.trustFile)
        if (file.ok) provisioned.push(...file.trust)
        else o.log.warn(file.message)
      }
      // What the hub provisioned at enrollment; vendors configured explicitly above take precedence.
      const enrolled = await readTrustFile(vendorTrustPath(o.stateDir))
      if (enrolled.ok) {
        const configured = new Set(provisioned.map((t) => t.vendor))
        provisioned.push(...enrolled.trust.filter((t) => !configured.has(t.vendor)))
      } else if (existsSync(vendorTrustPath(o.stateDir))) o.log.warn(enrolled.message)
      const loaded = await loadState(o.stateDir, provisioned)
      state = loaded.state
      if (loaded.problem) o.log.warn(loaded.problem)
      // The operator root and delegations of the enrollment answer (the first root is taken from there).
      const bundle = (await readJson(trustBundlePath(o.stateDir)).catch(() => undefined)) as
        | TrustBundle
        | undefined
      if (bundle && Array.isArray(bundle.roots) && Array.isArray(bundle.delegations)) {
        const { applyTrust } = await trustChain()
        const r = applyTrust(state, bundle, { now: o.now, firstUse: true, ...pin() })
        for (const x of r.result.refused) o.log.warn(`enrollment trust refused: ${x.code}: ${x.reason}`)
      }
      // A full disk must not stop the agent from starting: the state is saved again with the next change.
      await save().catch((err: Error) => o.log.warn(`cannot save the manifest state: ${err.message}`))
      // Work cut short by a stop or a crash is failed, so the hub's next delivery retries it.
      for (const m of Object.values(state.manifests))
        if (m.state === 'verified' || m.state === 'downloading')
          await setState(m, 'failed', {
            code: 'INTERRUPTED',
            reason:
              'the agent stopped before this manifest was installed; it is retried at the next delivery',
          })
    },

    async install(req: InstallRequest): Promise<Record<string, unknown>> {
      await report(req.manifestId, 'offered')
      const [{ verifyManifestWithChain }, { chainOf }] = await Promise.all([signing(), trustChain()])
      const v = verifyManifestWithChain(req.envelope, chainOf(state), {
        provisioned: state.trust,
        now: () => o.now().getTime(),
      })
      if (!v.ok) return refuse(req.manifestId, v.code, v.message)
      if (v.id !== req.manifestId)
        return refuse(
          req.manifestId,
          'MANIFEST_ID',
          `delivered as ${req.manifestId}, but its signed content is ${v.id}`,
        )
      const p = v.payload
      const existing = state.manifests[v.id]
      const held = state.floors[floorKey(v.payload.vendor, v.payload.product)]
      if (existing && held && held.digest !== v.digest)
        return refuse(
          v.id,
          'ROLLBACK',
          `replay of ${v.payload.product} ${v.payload.version}: ${held.version} is newer`,
        )
      if (existing && existing.state !== 'failed') {
        // Delivered again (the hub retries after a reconnect): say where it stands, do nothing twice.
        await report(existing.id, existing.state, {
          ...(existing.code ? { code: existing.code } : {}),
          ...(existing.reason ? { reason: existing.reason } : {}),
        })
        return { manifestId: v.id, state: existing.state, repeated: true }
      }
      const scheme = p.versionScheme ?? 'generic'
      const { compareVersions, isVersionScheme } = await versions()
      if (!isVersionScheme(scheme))
        return refuse(v.id, 'SCHEMA', `/versionScheme: unknown version scheme "${scheme}"`)
      const key = floorKey(p.vendor, p.product)
      const floor = state.floors[key]
      if (floor && !existing) {
        let c: number
        try {
          c = compareVersions(scheme, p.version, floor.version)
        } catch (err) {
          return refuse(v.id, 'SCHEMA', `/version: ${(err as Error).message}`)
        }
        if (c === 0 && floor.digest !== v.digest)
          return refuse(
            v.id,
            'MIX_AND_MATCH',
            `${p.product} ${p.version} is already known here with other content`,
          )
        if (c <= 0)
          return refuse(
            v.id,
            'ROLLBACK',
            `${p.product} ${p.version} is not newer than ${floor.version} (this device's rollback floor)`,
          )
      }
      state.floors[key] = { version: p.version, digest: v.digest, scheme }
      const entry: ManifestEntry = {
        id: v.id,
        vendor: p.vendor,
        product: p.product,
        version: p.version,
        digest: v.digest,
        state: 'verified',
        verification: `ok: ${v.keyids.length} signature(s) by ${v.keyids.map((k) => k.slice(0, 12)).join(', ')}`,
        keyids: v.keyids,
        receivedAt: existing?.receivedAt ?? iso(),
        updatedAt: iso(),
        artifacts: [],
      }
      await setState(entry, 'verified')
      const run = queue.then(() => fetchAndInstall(entry, p))
      queue = run.catch((err: Error) => o.log.error(`manifest ${entry.id}: ${err.message}`))
      return { manifestId: v.id, state: 'verified' }
    },

    async rotate(req: RotationRequest): Promise<Record<string, unknown>> {
      const [sig, { chainOf }] = await Promise.all([signing(), trustChain()])
      const vendor = sig.claimedVendor(req.envelope)
      const delegated = vendor === undefined ? undefined : state.delegations?.[vendor]
      if (delegated) {
        // A vendor delegated by the operator root rotates within its delegation; revoked keys stay revoked.
        const r = sig.applyRotation(delegated.trust, req.envelope, { now: () => o.now().getTime() })
        if (!r.ok && r.code === 'STALE_ROTATION')
          return { applied: false, vendor, sequence: delegated.trust.sequence }
        if (!r.ok) throw new CommandError(r.code, r.message)
        const read = chainOf(state).delegations[vendor as string]
        const revoked = new Set(read?.payload.revoked ?? [])
        const trust = {
          ...r.trust,
          keys: r.trust.keys.map((k) => (revoked.has(k.keyid) ? { ...k, revoked: true } : k)),
        }
        state.delegations = { ...state.delegations, [vendor as string]: { ...delegated, trust } }
        await save()
        return { applied: true, vendor, sequence: trust.sequence }
      }
      const current = state.trust.find((t) => t.vendor === vendor)
      if (!current) throw new CommandError('UNKNOWN_KEY', `no key is trusted for vendor "${vendor ?? '?'}"`)
      const r = sig.applyRotation(current, req.envelope, { now: () => o.now().getTime() })
      if (!r.ok && r.code === 'STALE_ROTATION')
        return { applied: false, vendor: current.vendor, sequence: current.sequence }
      if (!r.ok) {
        o.log.warn(`key rotation for ${current.vendor} refused: ${r.code}: ${r.message}`)
        throw new CommandError(r.code, r.message)
      }
      state.trust = state.trust.map((t) => (t === current ? r.trust : t))
      await save()
      o.log.info(`key rotation ${r.trust.sequence} for ${r.trust.vendor} applied`)
      return { applied: true, vendor: r.trust.vendor, sequence: r.trust.sequence }
    },

    /** `apply-trust`: the root chain and delegations the hub relays, each verified here. */
    async applyTrust(req: TrustRequest): Promise<ApplyTrustResult> {
      const { applyTrust } = await trustChain()
      const r = applyTrust(state, req, { now: o.now, firstUse: false, ...pin() })
      if (r.changed) await save()
      for (const x of r.result.refused)
        o.log.warn(
          `${x.kind}${x.vendor ? ` of ${x.vendor}` : ''}${x.version ? ` v${x.version}` : ''} refused: ${x.code}: ${x.reason}`,
        )
      if (r.changed && state.root)
        o.log.info(`operator root v${state.root.version} (${state.root.fingerprint})`)
      return r.result
    },

    /** What the birth says this device holds of the operator root (so the hub sends what it lacks). */
    trustHeld(): TrustHeld {
      const h = held(state, state.trust)
      return {
        ...(h.root ? { root: h.root } : {}),
        delegations: h.delegations,
        ...(h.provisioned ? { provisioned: h.provisioned } : {}),
      }
    },

    /** Resolves when every download/install started so far has finished. */
    idle(): Promise<void> {
      return queue.then(() => undefined)
    },

    trust(): VendorTrust[] {
      return state.trust
    },

    summary(): ManifestSummary {
      const all = Object.values(state.manifests).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
      return {
        ...(state.root ? { root: { version: state.root.version, fingerprint: state.root.fingerprint } } : {}),
        delegations: held(state).delegations,
        trustRefused: [...(state.trustRefused ?? [])].reverse(),
        trusted: [
          ...Object.values(state.delegations ?? {}).map((d) => d.trust),
          ...state.trust.filter((t) => !state.delegations?.[t.vendor]),
        ].map((t) => ({
          vendor: t.vendor,
          keys: t.keys.filter((k) => !k.revoked).length,
          threshold: t.threshold,
          sequence: t.sequence,
        })),
        pending: all.filter((m) => PENDING.has(m.state)),
        installed: all.filter((m) => m.state === 'installed'),
        failed: all.filter((m) => m.state === 'failed'),
        refused: [...state.refused].reverse(),
      }
    },
  }
}

export type ManifestManager = ReturnType<typeof createManifestManager>
