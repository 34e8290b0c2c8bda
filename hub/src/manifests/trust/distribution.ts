/**
 * Getting the root chain and delegations to devices: to every online device at once when one is
 * accepted, and at each birth while the device says (in its birth's `trust`) it lacks the current
 * ones. The device verifies everything itself and answers what it holds and what it refused (with
 * codes); the answer is kept per device (collection trust/reports) and a refusal shows in the feed.
 */
import { ApplyTrustResult, compile, type TrustRefusal } from '@vigil/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { CommandDispatcher } from '../../devices/commands.js'
import type { DeviceRegistry } from '../../devices/registry.js'
import type { HubEvents } from '../../events/hub-events.js'
import type { Collection, DeviceRecord, Store } from '../../store/types.js'
import type { TrustService } from './service.js'

export interface TrustReport {
  id: string
  at: string
  root?: number
  delegations: Record<string, number>
  refused: TrustRefusal[]
}

const answer = compile(ApplyTrustResult)

/** What distribution uses of the hub (the hub context has these; nothing else is needed). */
export interface TrustDistributionDeps {
  readonly store: Store
  readonly registry: DeviceRegistry
  readonly events: HubEvents
  readonly commands: CommandDispatcher
  readonly log: FastifyBaseLogger
}

export class TrustDistribution {
  private constructor(
    private readonly hub: TrustDistributionDeps,
    private readonly service: TrustService,
    readonly reports: Collection<TrustReport>,
  ) {}

  static async open(hub: TrustDistributionDeps, service: TrustService): Promise<TrustDistribution> {
    return new TrustDistribution(hub, service, await hub.store.collection<TrustReport>('trust/reports'))
  }

  /** Whether the device's birth (or its last answer) shows it lacks the current root or a delegation. */
  lacks(device: DeviceRecord): boolean {
    // Runs at every birth (a whole fleet reconnecting after a restart): compare stored versions only,
    // without building the bundle or decoding the root envelope.
    const rootVersion = this.service.rootVersion()
    if (rootVersion === undefined) return false
    const held = device.trust
    const report = this.reports.get(device.id)
    const rootHeld = Math.max(held?.root?.version ?? 0, report?.root ?? 0)
    if (rootHeld < rootVersion) return true
    for (const d of this.service.delegationRecords()) {
      const version = Math.max(held?.delegations?.[d.id] ?? 0, report?.delegations[d.id] ?? 0)
      if (version < d.version) return true
    }
    return false
  }

  /** Sends the bundle to one device; its answer is recorded when it comes. */
  async send(deviceId: string): Promise<void> {
    const bundle = this.service.bundle()
    if (bundle.roots.length === 0) return
    const { response } = await this.hub.commands.dispatch(
      deviceId,
      { cmd: 'apply-trust', roots: bundle.roots, delegations: bundle.delegations },
      60_000,
    )
    response
      .then((res) => {
        if (res?.status === 'ok') return this.record(deviceId, res.data)
        if (res?.status === 'error')
          return this.record(deviceId, {
            delegations: {},
            refused: [{ kind: 'root', code: res.error.code, reason: res.error.message }],
          })
      })
      .catch((err: Error) => this.hub.log.warn({ err, deviceId }, 'trust delivery failed'))
  }

  /** To every online device (after a root or delegation was accepted). Answers how many. */
  async sendToOnline(): Promise<number> {
    const online = this.hub.registry.all().filter((d) => d.online && !d.disabled)
    await Promise.all(online.map((d) => this.send(d.id)))
    return online.length
  }

  private async record(deviceId: string, data: unknown): Promise<void> {
    if (!answer.check(data)) {
      this.hub.log.warn({ deviceId, problems: answer.errors(data, 5) }, 'malformed apply-trust answer')
      return
    }
    const device = this.hub.registry.get(deviceId)
    if (!device) return
    const report: TrustReport = {
      id: deviceId,
      at: new Date().toISOString(),
      ...(data.root ? { root: data.root.version } : {}),
      delegations: data.delegations,
      refused: data.refused.slice(0, 32),
    }
    this.reports.put(report)
    await this.hub.store.commit()
    for (const r of data.refused) {
      const what = r.kind === 'delegation' ? `delegation of ${r.vendor ?? '?'} v${r.version ?? '?'}` : r.kind
      this.hub.events.emit('feed', {
        id: `${deviceId}-trust-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        ts: report.at,
        deviceId,
        deviceName: device.name,
        kind: 'manifest',
        message: `${device.name} refused the ${what}: ${r.code}: ${r.reason}`,
      })
    }
  }
}
