/**
 * The manifests feature's operations: accept a push (every check, audited either way), list and show
 * manifests with their coverage, and which manifests fix a finding ("patch available").
 */
import type { FindingView } from '@vigil/protocol'
import { claimedVendor } from '@vigil/protocol/signing'
import type { HubContext } from '../context.js'
import { type FetchAllowList, NOTHING_ALLOWED, parseFetchAllowList } from '../net/fetch-guard.js'
import { type Refusal, refusal } from '../refusal.js'
import type { FindingsSource } from '../risk/findings-port.js'
import type { DeviceRecord } from '../store/types.js'
import { checkManifest } from './accept.js'
import { applicableDevices, fixedFindings } from './applicability.js'
import { checkArtifacts } from './artifact-check.js'
import type { ManifestDb, ManifestRecord } from './db.js'
import type { VendorService } from './vendors/service.js'

export interface Coverage {
  devices: DeviceRecord[]
  findings: FindingView[]
}

/** What the service uses of the hub, and the register's findings when that feature is loaded. */
export interface ManifestServiceDeps extends Pick<HubContext, 'config' | 'audit' | 'events' | 'registry'> {
  findings(): FindingsSource | undefined
}

export class ManifestService {
  /** Called after a manifest is accepted and stored (the plugin rebuilds its patch index). */
  onAccepted: (m: ManifestRecord) => void = () => {}
  /** Non-public artifact hosts the operator allows (the config was validated at load). */
  private readonly fetchAllow: FetchAllowList

  constructor(
    private readonly hub: ManifestServiceDeps,
    private readonly db: ManifestDb,
    private readonly vendors: VendorService,
    private readonly now: () => Date = () => new Date(),
  ) {
    const allow = parseFetchAllowList(hub.config.artifactFetchAllow)
    this.fetchAllow = allow.ok ? allow.allow : NOTHING_ALLOWED
  }

  get(id: string): ManifestRecord | undefined {
    return this.db.manifests.get(id)
  }

  list(vendorId?: string): ManifestRecord[] {
    return this.db.manifests
      .values()
      .filter((m) => vendorId === undefined || m.vendorId === vendorId)
      .sort((a, b) => (a.acceptedAt < b.acceptedAt ? 1 : a.acceptedAt > b.acceptedAt ? -1 : 0))
  }

  /** Pushes of one vendor run one after another: the version-history check and the store must not
   *  interleave (two concurrent pushes of the same version would otherwise both pass while the hub
   *  fetches their artifacts — mix-and-match). */
  private readonly queues = new Map<string, Promise<unknown>>()

  push(body: unknown, vendorId: string, actor: string): Promise<ManifestRecord | Refusal> {
    const previous = this.queues.get(vendorId) ?? Promise.resolve()
    const next = previous.then(
      () => this.pushNow(body, vendorId, actor),
      () => this.pushNow(body, vendorId, actor),
    )
    const tail = next.catch(() => undefined)
    this.queues.set(vendorId, tail)
    void tail.then(() => {
      if (this.queues.get(vendorId) === tail) this.queues.delete(vendorId)
    })
    return next
  }

  private async pushNow(body: unknown, vendorId: string, actor: string): Promise<ManifestRecord | Refusal> {
    const vendor = this.vendors.get(vendorId)
    const result = (() => {
      if (!vendor) return refusal('WRONG_VENDOR_TOKEN', `the token's vendor ${vendorId} no longer exists`)
      const claimed = claimedVendor(body)
      if (claimed !== undefined && claimed !== vendor.name)
        return refusal(
          'VENDOR_MISMATCH',
          `this token belongs to vendor "${vendor.name}" and cannot push a manifest of vendor "${claimed}"`,
        )
      return checkManifest({ body, vendor, history: this.list(vendor.id), now: this.now().getTime() })
    })()
    const artifacts = result.ok
      ? await checkArtifacts(result.manifest.payload.artifacts, {
          timeoutMs: this.hub.config.artifactCheckTimeoutMs,
          maxBytes: this.hub.config.artifactCheckMaxBytes,
          fileRoot: this.hub.config.artifactFileRoot,
          fetchAllow: this.fetchAllow,
        })
      : result
    if (!artifacts.ok) {
      this.hub.audit({
        actor,
        action: 'manifest.push',
        target: vendorId,
        ok: false,
        detail: `${artifacts.code}: ${artifacts.message}`.slice(0, 1024),
      })
      return artifacts
    }
    if (!result.ok) {
      this.hub.audit({
        actor,
        action: 'manifest.push',
        target: vendorId,
        ok: false,
        detail: `${result.code}: ${result.message}`.slice(0, 1024),
      })
      return result
    }
    const record: ManifestRecord = {
      ...result.manifest,
      acceptedAt: this.now().toISOString(),
      acceptedBy: actor,
      artifactCheck: artifacts.check,
    }
    this.db.manifests.put(record)
    await this.db.flush()
    this.onAccepted(record)
    const p = record.payload
    this.hub.audit({
      actor,
      action: 'manifest.push',
      target: record.id,
      ok: true,
      detail:
        `${p.product} ${p.version}; artifacts ${artifacts.check}${artifacts.notes.length ? ` (${artifacts.notes.join('; ')})` : ''}`.slice(
          0,
          1024,
        ),
    })
    const c = this.coverage(record)
    this.hub.events.emit('feed', {
      id: `manifest-${record.id.slice(0, 12)}-accepted`,
      ts: record.acceptedAt,
      kind: 'manifest',
      message: `${p.vendor} ${p.product} ${p.version} accepted: applies to ${c.devices.length} device(s), fixes ${c.findings.length} open finding(s)`,
    })
    return record
  }

  coverage(m: ManifestRecord): Coverage {
    const devices = applicableDevices(m.payload, this.hub.registry.all())
    const findings = fixedFindings(
      m.payload,
      devices.map((d) => d.id),
      this.hub.findings(),
    )
    return { devices, findings }
  }

  /** Finding id → the manifests that fix it on its device ("patch available"). */
  patchAvailability(): Record<
    string,
    { manifestId: string; vendor: string; product: string; version: string }[]
  > {
    const out: Record<string, { manifestId: string; vendor: string; product: string; version: string }[]> = {}
    for (const m of this.db.manifests.values()) {
      if (Date.parse(m.payload.expiresAt) <= this.now().getTime()) continue
      for (const f of this.coverage(m).findings) {
        const list = out[f.id] ?? []
        list.push({
          manifestId: m.id,
          vendor: m.payload.vendor,
          product: m.payload.product,
          version: m.payload.version,
        })
        out[f.id] = list
      }
    }
    return out
  }
}
