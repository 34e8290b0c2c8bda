/**
 * Rollouts: an operator approves a manifest for all applicable devices or in waves (canary devices,
 * then cumulative percentages), pauses and resumes. The hub sends the envelope unchanged in an
 * `install-manifest` command to every targeted device that is online, and to the others when they come
 * back; the agents' `rollout` reports move each device's state.
 */
import type { FeedItem, RolloutStatus } from '@vigil/protocol'
import type { HubContext } from '../context.js'
import { type Refusal, refusal } from '../refusal.js'
import type { ManifestDb, ManifestRecord, RolloutPlan, TargetRecord, Wave } from './db.js'
import { targetId } from './db.js'

export interface WavePlanInput {
  /** Devices to update first (must be applicable). */
  canary?: string[]
  /** Cumulative shares of the remaining devices, e.g. [25, 100]; 100 is added when missing. */
  steps?: number[]
  autoAdvance?: boolean
}

/** Splits the applicable devices into waves (deterministic: devices in id order). */
export function planWaves(applicable: readonly string[], input: WavePlanInput): Wave[] | Refusal {
  const canary = [...new Set(input.canary ?? [])]
  const stranger = canary.find((d) => !applicable.includes(d))
  if (stranger !== undefined)
    return refusal('NOT_APPLICABLE', `canary device ${stranger} is not one this manifest applies to`)
  if (!input.steps && canary.length === 0) return [{ kind: 'all', devices: [...applicable] }]
  const waves: Wave[] = canary.length > 0 ? [{ kind: 'canary', devices: canary }] : []
  const rest = applicable.filter((d) => !canary.includes(d))
  const steps = [...(input.steps ?? [100])]
  for (let i = 1; i < steps.length; i++)
    if ((steps[i] ?? 0) <= (steps[i - 1] ?? 0)) return refusal('SCHEMA', '/steps: percentages must increase')
  if (steps[steps.length - 1] !== 100) steps.push(100)
  let taken = 0
  for (const pct of steps) {
    const upTo = Math.ceil((rest.length * pct) / 100)
    waves.push({ kind: 'percent', percent: pct, devices: rest.slice(taken, upTo) })
    taken = upTo
  }
  return waves
}

const DONE: ReadonlySet<string> = new Set(['installed', 'awaiting-install'])
/** Not answered yet, still in progress, or cut short on the device: sent again at the device's birth. */
const UNFINISHED: ReadonlySet<string> = new Set(['pending', 'offered', 'verified', 'downloading'])

export function redeliverable(t: TargetRecord): boolean {
  return UNFINISHED.has(t.state) || (t.state === 'failed' && t.code === 'INTERRUPTED')
}

export type Outcome = ManifestRecord | Refusal

/**
 * An operator action whose writes are made (synchronously) and whose deliveries are still to do
 * (`after`, run by `RolloutEngine.finish`). A refusal made no write.
 */
export interface Staged {
  result: Outcome
  after?: () => Promise<void>
}

const refused = (code: Refusal['code'], message: string): Staged => ({ result: refusal(code, message) })

export class RolloutEngine {
  constructor(
    private readonly hub: Pick<HubContext, 'registry' | 'events' | 'audit' | 'commands' | 'log'>,
    private readonly db: ManifestDb,
    private readonly now: () => Date = () => new Date(),
    /**
     * Whether this hub auto-advances waves (the `rollouts.advance` job: one hub of the cluster; the
     * embedded engine's one hub always). A report that lands on another hub is seen by the holder's
     * `sweep` once the change feed brought it.
     */
    private readonly advancer: () => boolean = () => true,
  ) {}

  /**
   * Auto-advances every active rollout whose current wave is done (the holder of `rollouts.advance`
   * runs it on a timer and when it takes the job over): reports handled by other hubs, or by a hub
   * that died before advancing, still move the rollout on.
   */
  async sweep(): Promise<number> {
    let advanced = 0
    for (const m of this.db.manifests.values())
      if (m.rollout?.autoAdvance && m.rollout.status === 'active' && (await this.#maybeAdvance(m))) advanced++
    return advanced
  }

  targets(manifestId: string): TargetRecord[] {
    return this.db.targetsOf(manifestId)
  }

  #feed(m: ManifestRecord, message: string, deviceId?: string): void {
    const item: FeedItem = {
      id: `manifest-${m.id.slice(0, 12)}-${this.now().getTime().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
      ts: this.now().toISOString(),
      kind: 'manifest',
      message,
    }
    if (deviceId !== undefined) {
      item.deviceId = deviceId
      item.deviceName = this.hub.registry.get(deviceId)?.name ?? deviceId
    }
    this.hub.events.emit('feed', item)
  }

  #name(m: ManifestRecord): string {
    return `${m.payload.vendor} ${m.payload.product} ${m.payload.version}`
  }

  #save(m: ManifestRecord, rollout: RolloutPlan): ManifestRecord {
    const next = { ...m, rollout: { ...rollout, updatedAt: this.now().toISOString() } }
    this.db.manifests.put(next)
    return next
  }

  approve(m: ManifestRecord, waves: Wave[], actor: string, autoAdvance = false): Promise<Outcome> {
    return this.finish(this.stageApprove(m, waves, actor, autoAdvance))
  }

  stageApprove(m: ManifestRecord, waves: Wave[], actor: string, autoAdvance = false): Staged {
    if (m.rollout && m.rollout.status !== 'completed' && m.rollout.status !== 'cancelled')
      return refused('ROLLOUT_STATE', `manifest ${m.id} already has a ${m.rollout.status} rollout`)
    const at = this.now().toISOString()
    const plan: RolloutPlan = {
      status: 'active',
      approvedBy: actor,
      approvedAt: at,
      wave: -1,
      waves,
      autoAdvance,
      updatedAt: at,
    }
    this.hub.audit({
      actor,
      action: 'manifest.approve',
      target: m.id,
      ok: true,
      detail: `${waves.length} wave(s)`,
    })
    return this.stageAdvance(this.#save(m, plan), actor)
  }

  /** Starts the next wave. */
  advance(m: ManifestRecord, actor: string): Promise<Outcome> {
    return this.finish(this.stageAdvance(m, actor))
  }

  stageAdvance(m: ManifestRecord, actor: string): Staged {
    const plan = m.rollout
    if (plan?.status !== 'active') return refused('ROLLOUT_STATE', `manifest ${m.id} has no active rollout`)
    const index = plan.wave + 1
    const wave = plan.waves[index]
    if (!wave) return refused('ROLLOUT_STATE', `every wave of manifest ${m.id} has started`)
    const waves = plan.waves.map((w, i) => (i === index ? { ...w, startedAt: this.now().toISOString() } : w))
    const status = index === plan.waves.length - 1 ? 'completed' : 'active'
    const next = this.#save(m, { ...plan, wave: index, waves, status })
    for (const deviceId of wave.devices) {
      if (this.db.targets.get(targetId(m.id, deviceId))) continue
      this.db.targets.put({
        id: targetId(m.id, deviceId),
        manifestId: m.id,
        deviceId,
        wave: index,
        state: 'pending',
        updatedAt: this.now().toISOString(),
        deliveries: 0,
      })
    }
    this.hub.audit({
      actor,
      action: 'manifest.wave',
      target: m.id,
      ok: true,
      detail: `wave ${index + 1}/${plan.waves.length}: ${wave.devices.length} device(s)`,
    })
    this.#feed(
      next,
      `${this.#name(m)}: wave ${index + 1} of ${plan.waves.length} started (${wave.devices.length} device(s))`,
    )
    return { result: next, after: () => this.deliverPending(next) }
  }

  setPaused(m: ManifestRecord, paused: boolean, actor: string): Promise<Outcome> {
    return this.finish(this.stagePaused(m, paused, actor))
  }

  stagePaused(m: ManifestRecord, paused: boolean, actor: string): Staged {
    const plan = m.rollout
    if (!plan) return refused('ROLLOUT_STATE', `manifest ${m.id} has no rollout`)
    if (plan.status === 'cancelled') return refused('ROLLOUT_STATE', 'the rollout was cancelled')
    if (paused && plan.status === 'paused') return refused('ROLLOUT_STATE', 'the rollout is already paused')
    if (!paused && plan.status !== 'paused') return refused('ROLLOUT_STATE', 'the rollout is not paused')
    // A paused rollout holds every delivery, also to devices of started waves coming back online.
    const want = paused ? 'paused' : plan.wave >= plan.waves.length - 1 ? 'completed' : 'active'
    const next = this.#save(m, { ...plan, status: want })
    this.hub.audit({ actor, action: paused ? 'manifest.pause' : 'manifest.resume', target: m.id, ok: true })
    this.#feed(next, `${this.#name(m)}: rollout ${paused ? 'paused' : 'resumed'}`)
    if (paused) return { result: next }
    // A wave whose devices all finished while it was paused moves on now.
    const after = async () => {
      await this.deliverPending(next)
      await this.#maybeAdvance(next)
    }
    return { result: next, after }
  }

  /**
   * Stops the rollout: no device that has not received the manifest gets it, now or when it comes back
   * online, and no further wave starts. Devices that already have it carry on (the hub cannot take a
   * delivered command back; their reports still arrive). A new rollout may be approved afterwards.
   */
  cancel(m: ManifestRecord, actor: string, reason?: string): Promise<Outcome> {
    return this.finish(this.stageCancel(m, actor, reason))
  }

  stageCancel(m: ManifestRecord, actor: string, reason?: string): Staged {
    const plan = m.rollout
    if (!plan) return refused('ROLLOUT_STATE', `manifest ${m.id} has no rollout`)
    if (plan.status === 'cancelled') return refused('ROLLOUT_STATE', 'the rollout is already cancelled')
    const held = this.db.targetsOf(m.id).filter((t) => t.state === 'pending').length
    const next = this.#save(m, { ...plan, status: 'cancelled' })
    const why = reason ? `: ${reason}` : ''
    this.hub.audit({
      actor,
      action: 'manifest.cancel',
      target: m.id,
      ok: true,
      detail: `${held} device(s) not delivered${why}`,
    })
    this.#feed(next, `${this.#name(m)}: rollout cancelled, ${held} device(s) will not receive it${why}`)
    return { result: next }
  }

  /** A device whose install failed is offered the manifest again (at once if online). */
  retry(m: ManifestRecord, deviceId: string, actor: string): Promise<Outcome> {
    return this.finish(this.stageRetry(m, deviceId, actor))
  }

  stageRetry(m: ManifestRecord, deviceId: string, actor: string): Staged {
    const t = this.db.targets.get(targetId(m.id, deviceId))
    if (!t) return refused('ROLLOUT_STATE', `device ${deviceId} is not a target of manifest ${m.id}`)
    if (t.state !== 'failed')
      return refused(
        'ROLLOUT_STATE',
        `device ${deviceId} is ${t.state}: only a failed install is retried (a rejection repeats until the manifest or the device's trust changes)`,
      )
    const plan = m.rollout
    if (plan?.status !== 'active' && plan?.status !== 'completed')
      return refused('ROLLOUT_STATE', `the rollout is ${plan?.status ?? 'not approved'}`)
    const next: TargetRecord = { ...t, state: 'pending', updatedAt: this.now().toISOString() }
    delete next.reason
    delete next.code
    this.db.targets.put(next)
    this.hub.audit({
      actor,
      action: 'manifest.retry',
      target: m.id,
      ok: true,
      detail: `${deviceId} after ${t.code ?? 'failure'}${t.reason ? ` ${t.reason}` : ''}`,
    })
    this.#feed(m, `${this.#name(m)}: install retried`, deviceId)
    return { result: m, after: () => this.deliverPending(m, deviceId) }
  }

  /**
   * Completes a staged action: its writes were made synchronously (so that a route can run them inside
   * `Store.writeIf`, one transaction with the If-Match check); the deliveries follow, then durability.
   */
  async finish(staged: Staged): Promise<Outcome> {
    if ('ok' in staged.result) return staged.result
    await staged.after?.()
    await this.db.flush()
    return staged.result
  }

  /** Sends the manifest to every targeted online device that has not answered yet. */
  async deliverPending(m: ManifestRecord, onlyDevice?: string): Promise<void> {
    if (m.rollout?.status !== 'active' && m.rollout?.status !== 'completed') return
    for (const t of this.db.targetsOf(m.id)) {
      if (onlyDevice !== undefined && t.deviceId !== onlyDevice) continue
      if (!redeliverable(t)) continue
      if (!this.hub.registry.get(t.deviceId)?.online) continue
      await this.#deliver(m, t)
    }
  }

  async #deliver(m: ManifestRecord, t: TargetRecord): Promise<void> {
    try {
      await this.hub.commands.send(t.deviceId, {
        cmd: 'install-manifest',
        manifestId: m.id,
        envelope: m.envelope,
      })
    } catch (err) {
      this.hub.log.warn({ err, deviceId: t.deviceId }, `manifest ${m.id} not delivered`)
      return
    }
    const at = this.now().toISOString()
    const current = this.db.targets.get(t.id) ?? t
    this.db.targets.put({
      ...current,
      state: current.state === 'pending' ? 'offered' : current.state,
      offeredAt: at,
      updatedAt: at,
      deliveries: current.deliveries + 1,
    })
  }

  /**
   * A device that became applicable after every wave started (enrolled later, or reflashed to an
   * affected firmware) joins the last wave of a completed rollout.
   */
  joinLate(m: ManifestRecord, deviceId: string): boolean {
    const plan = m.rollout
    if (plan?.status !== 'completed' || this.db.targets.get(targetId(m.id, deviceId))) return false
    this.db.targets.put({
      id: targetId(m.id, deviceId),
      manifestId: m.id,
      deviceId,
      wave: plan.wave,
      state: 'pending',
      updatedAt: this.now().toISOString(),
      deliveries: 0,
    })
    return true
  }

  /** A device came online: deliver whatever is pending for it. */
  async onOnline(deviceId: string): Promise<void> {
    for (const t of this.db.targets.values()) {
      if (t.deviceId !== deviceId || !redeliverable(t)) continue
      const m = this.db.manifests.get(t.manifestId)
      if (m) await this.deliverPending(m, deviceId)
    }
  }

  /** A device reported where a manifest stands on it. */
  async onReport(deviceId: string, status: RolloutStatus): Promise<void> {
    const id = targetId(status.manifestId, deviceId)
    const t = this.db.targets.get(id)
    const m = this.db.manifests.get(status.manifestId)
    if (!t || !m) {
      this.hub.log.warn(
        { deviceId, manifestId: status.manifestId },
        'rollout report for a manifest not sent to this device',
      )
      return
    }
    const next: TargetRecord = { ...t, state: status.state, updatedAt: this.now().toISOString() }
    delete next.reason
    delete next.code
    if (status.reason !== undefined) next.reason = status.reason
    if (status.code !== undefined) next.code = status.code
    this.db.targets.put(next)
    const why = status.reason ? `: ${status.code ? `${status.code} ` : ''}${status.reason}` : ''
    this.#feed(m, `${this.#name(m)} ${status.state}${why}`, deviceId)
    if (status.state === 'rejected' || status.state === 'failed')
      this.hub.audit({
        actor: `device:${deviceId}`,
        action: `manifest.${status.state}`,
        target: m.id,
        ok: false,
        detail: `${status.code ?? ''} ${status.reason ?? ''}`.trim(),
      })
    await this.#maybeAdvance(m)
  }

  async #maybeAdvance(m: ManifestRecord): Promise<boolean> {
    const plan = m.rollout
    if (!plan?.autoAdvance || plan.status !== 'active' || !this.advancer()) return false
    const wave = plan.waves[plan.wave]
    if (!wave) return false
    const done = wave.devices.every((d) => DONE.has(this.db.targets.get(targetId(m.id, d))?.state ?? ''))
    if (!done) return false
    return !('ok' in (await this.advance(m, 'system')))
  }
}
