/**
 * Rollouts against real MQTT devices: waves, delivery of the unchanged envelope to online devices and
 * to offline ones when they come back, states from the devices' reports, pause and auto-advance.
 */
import {
  type CommandRequest,
  type DsseEnvelope,
  PROTOCOL_VERSION,
  type RolloutState,
  topics,
} from '@vigil/protocol'
import type { MqttClient } from 'mqtt'
import { describe, expect, it } from 'vitest'
import { planWaves } from '../../src/manifests/rollout.ts'
import type { RunningHub } from '../../src/server.ts'
import { adminToken, birth, connectEnrolled, type Enrolled, enroll, testHub, until } from '../helpers.ts'
import { api, createVendor, manifest, push, sign } from './fixtures.ts'

const identity = (firmware: string, model = 'IGW-200') =>
  birth({
    identity: {
      hostname: 'gw',
      vendor: 'Acme Medical Inc.',
      model,
      firmwareVersion: firmware,
      os: { platform: 'linux', id: 'debian', kernel: '6.1', arch: 'x64' },
    },
  })

interface Device {
  dev: Enrolled
  client: MqttClient
  received: Extract<CommandRequest, { cmd: 'install-manifest' }>[]
}

async function online(hub: RunningHub, dev: Enrolled, firmware: string, model?: string): Promise<Device> {
  const client = await connectEnrolled(hub, dev)
  const received: Device['received'] = []
  client.on('message', (_t, payload) => {
    const cmd = JSON.parse(payload.toString()) as CommandRequest
    if (cmd.cmd === 'install-manifest') received.push(cmd)
  })
  await client.subscribeAsync(topics.command(dev.deviceId), { qos: 1 })
  await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(identity(firmware, model)), {
    qos: 1,
    retain: true,
  })
  await until(() => hub.app.hub.registry.get(dev.deviceId)?.online === true, 'online')
  return { dev, client, received }
}

async function reportState(
  d: Device,
  manifestId: string,
  state: RolloutState,
  extra: Record<string, string> = {},
) {
  const status = { v: PROTOCOL_VERSION, ts: new Date().toISOString(), manifestId, state, ...extra }
  await d.client.publishAsync(topics.device(d.dev.deviceId, 'rollout'), JSON.stringify(status), { qos: 1 })
}

async function fleet(hub: RunningHub, n: number) {
  const devices: Device[] = []
  for (let i = 0; i < n; i++) devices.push(await online(hub, await enroll(hub, `gw-${i}`), '4.1.0'))
  return devices.sort((a, b) => (a.dev.deviceId < b.dev.deviceId ? -1 : 1))
}

/** Two devices online, a manifest pushed and approved with `a` as canary (and `plan`); `a` has it. */
async function canaryDelivered(plan: { autoAdvance?: boolean } = {}) {
  const hub = await testHub()
  const vendor = await createVendor(hub)
  const admin = await adminToken(hub)
  const [a, b] = await fleet(hub, 2)
  if (!a || !b) throw new Error('fleet')
  const id = (await push(hub, vendor.token, sign(manifest(), vendor.keys))).body.id as string
  await api(hub, 'POST', `/api/v1/manifests/${id}/rollout`, admin, { canary: [a.dev.deviceId], ...plan })
  await until(() => a.received.length === 1 || undefined, 'canary delivered')
  return { hub, admin, a, b, id }
}

describe('planWaves', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `d${i}`)
  it('puts everything in one wave without a plan', () => {
    expect(planWaves(ids, {})).toEqual([{ kind: 'all', devices: ids }])
  })
  it('splits canary, then cumulative percentages of the rest, ending at 100 %', () => {
    const waves = planWaves(ids, { canary: ['d7'], steps: [10, 50] })
    if ('ok' in waves) throw new Error(waves.message)
    expect(waves.map((w) => w.devices.length)).toEqual([1, 1, 4, 4])
    expect(waves.flatMap((w) => w.devices).sort()).toEqual([...ids].sort())
  })
  it('refuses a canary that is not applicable and steps that do not increase', () => {
    expect(planWaves(ids, { canary: ['x'] })).toMatchObject({ ok: false, code: 'NOT_APPLICABLE' })
    expect(planWaves(ids, { steps: [50, 20] })).toMatchObject({ ok: false, code: 'SCHEMA' })
  })
})

describe('rollout', () => {
  it('applies by normalised vendor, model and firmware range; delivers the unchanged envelope in waves', async () => {
    const hub = await testHub()
    const vendor = await createVendor(hub)
    const admin = await adminToken(hub)
    const devices = await fleet(hub, 3)
    const patched = await online(hub, await enroll(hub, 'patched'), '4.2.1')
    const otherModel = await online(hub, await enroll(hub, 'other'), '4.1.0', 'IGW-900')
    const envelope: DsseEnvelope = sign(manifest(), vendor.keys)
    const pushed = await push(hub, vendor.token, envelope)
    const id = pushed.body.id as string
    expect(pushed.body.coverage).toEqual({ devices: 3, findings: 0 })

    const [first, second, third] = devices
    if (!first || !second || !third) throw new Error('fleet')
    const r = await api(hub, 'POST', `/api/v1/manifests/${id}/rollout`, admin, {
      canary: [second.dev.deviceId],
    })
    expect(r.status).toBe(201)
    await until(() => second.received.length === 1 || undefined, 'canary delivery')
    expect(second.received[0]).toMatchObject({ manifestId: id, envelope })
    expect(first.received).toEqual([])

    await reportState(second, id, 'verified')
    await reportState(second, id, 'installed')
    await until(async () => {
      const d = await api(hub, 'GET', `/api/v1/manifests/${id}`, admin)
      return (d.body.rollout as { counts: Record<string, number> }).counts.installed === 1 || undefined
    }, 'installed counted')

    const next = await api(hub, 'POST', `/api/v1/manifests/${id}/rollout/advance`, admin)
    expect(next.body.rollout).toMatchObject({ status: 'completed', wave: 1 })
    await until(() => (first.received.length === 1 && third.received.length === 1) || undefined, 'wave 2')
    await reportState(first, id, 'rejected', { code: 'BAD_SIGNATURE', reason: 'signature does not verify' })
    await until(async () => {
      const d = await api(hub, 'GET', `/api/v1/manifests/${id}`, admin)
      const t = (
        d.body.targets as { deviceId: string; state: string; code?: string; reason?: string }[]
      ).find((x) => x.deviceId === first.dev.deviceId)
      return t?.state === 'rejected' && t.code === 'BAD_SIGNATURE' ? t : undefined
    }, 'rejection recorded')
    const audit = await hub.app.hub.store.audit.read({ filter: (e) => e.action === 'manifest.rejected' })
    expect(audit[0]?.detail).toContain('BAD_SIGNATURE')
    expect(patched.received).toEqual([])
    expect(otherModel.received).toEqual([])
    // A gateway enrolled after the rollout completed, on an affected firmware, gets it too.
    const late = await online(hub, await enroll(hub, 'late'), '4.0.2')
    await until(() => late.received.length === 1 || undefined, 'late device delivered')
    expect((await api(hub, 'POST', `/api/v1/manifests/${id}/rollout/advance`, admin)).body.error?.code).toBe(
      'ROLLOUT_STATE',
    )
  })

  it('delivers to an offline device when it comes back, unless the rollout is paused', async () => {
    const hub = await testHub()
    const vendor = await createVendor(hub)
    const admin = await adminToken(hub)
    const [a, gone] = await fleet(hub, 2)
    if (!a || !gone) throw new Error('fleet')
    // One device goes away before the approval.
    await gone.client.publishAsync(
      topics.device(gone.dev.deviceId, 'state'),
      JSON.stringify({
        v: PROTOCOL_VERSION,
        status: 'offline',
        ts: new Date().toISOString(),
        reason: 'shutdown',
      }),
      { qos: 1, retain: true },
    )
    await gone.client.endAsync()
    await until(() => hub.app.hub.registry.get(gone.dev.deviceId)?.online === false || undefined, 'offline')
    const id = (await push(hub, vendor.token, sign(manifest(), vendor.keys))).body.id as string
    await api(hub, 'POST', `/api/v1/manifests/${id}/rollout`, admin, {})
    await until(() => a.received.length === 1 || undefined, 'a delivered')
    expect(gone.received).toEqual([])
    // Two operators saw the rollout at one version: the first pause wins, the second (stale) is 409.
    const seen = (await api(hub, 'GET', `/api/v1/manifests/${id}`, admin)).body.recordVersion as number
    const withVersion = (path: string, v: number) =>
      hub.app.inject({
        method: 'POST',
        url: `/api/v1/manifests/${id}/rollout/${path}`,
        headers: { authorization: `Bearer ${admin}`, 'if-match': `"${v}"` },
      })
    expect((await withVersion('pause', seen)).statusCode).toBe(200)
    const stale = await withVersion('resume', seen)
    expect(stale.statusCode).toBe(409)
    expect(stale.json().current[0].view.rollout.status).toBe('paused')
    const b = await online(hub, gone.dev, '4.1.0')
    const held = await api(hub, 'GET', `/api/v1/manifests/${id}`, admin)
    const targets = held.body.targets as { deviceId: string; state: string }[]
    expect(targets.find((t) => t.deviceId === b.dev.deviceId)?.state).toBe('pending')
    expect(b.received).toEqual([])
    await api(hub, 'POST', `/api/v1/manifests/${id}/rollout/resume`, admin)
    await until(() => b.received.length === 1 || undefined, 'b delivered after resume')
    // Cut short on the device (agent stopped mid-download): sent again at its next birth.
    await reportState(b, id, 'failed', { code: 'INTERRUPTED', reason: 'agent stopped' })
    await until(async () => {
      const d = await api(hub, 'GET', `/api/v1/manifests/${id}`, admin)
      const t = (d.body.targets as { deviceId: string; code?: string }[]).find(
        (x) => x.deviceId === b.dev.deviceId,
      )
      return t?.code === 'INTERRUPTED' || undefined
    }, 'interruption recorded')
    await b.client.publishAsync(topics.device(b.dev.deviceId, 'state'), JSON.stringify(identity('4.1.0')), {
      qos: 1,
      retain: true,
    })
    await until(() => b.received.length === 2 || undefined, 'redelivered after the interruption')
  })

  it('advances by itself when every device of the wave installed (autoAdvance)', async () => {
    const { a, b, id } = await canaryDelivered({ autoAdvance: true })
    expect(b.received).toEqual([])
    await reportState(a, id, 'awaiting-install', { reason: 'verified, awaiting install' })
    await until(() => b.received.length === 1 || undefined, 'auto-advanced')
  })

  it('advances on resume a wave whose devices finished while it was paused (autoAdvance)', async () => {
    const { hub, admin, a, b, id } = await canaryDelivered({ autoAdvance: true })
    expect((await api(hub, 'POST', `/api/v1/manifests/${id}/rollout/pause`, admin)).status).toBe(200)
    await reportState(a, id, 'awaiting-install', { reason: 'verified, awaiting install' })
    const targetOf = async (d: Device) => {
      const detail = await api(hub, 'GET', `/api/v1/manifests/${id}`, admin)
      return (detail.body.targets as { deviceId: string; state: string }[]).find(
        (t) => t.deviceId === d.dev.deviceId,
      )?.state
    }
    await until(async () => (await targetOf(a)) === 'awaiting-install' || undefined, 'the report recorded')
    const paused = await api(hub, 'GET', `/api/v1/manifests/${id}`, admin)
    expect(paused.body.rollout).toMatchObject({ status: 'paused', wave: 0 })
    expect(b.received).toEqual([])
    const resumed = await api(hub, 'POST', `/api/v1/manifests/${id}/rollout/resume`, admin)
    expect(resumed.status).toBe(200)
    // The resume itself started the next wave (one hub: there is no periodic sweep to do it later).
    const after = await api(hub, 'GET', `/api/v1/manifests/${id}`, admin)
    expect((after.body.rollout as { wave: number }).wave).toBe(1)
    await until(() => b.received.length === 1 || undefined, 'the next wave delivered')
  })

  it('cancels a rollout: devices not yet reached never get it, a new rollout may follow', async () => {
    const { hub, admin, a, b, id } = await canaryDelivered()
    const cancelled = await api(hub, 'POST', `/api/v1/manifests/${id}/rollout/cancel`, admin, {
      reason: 'canary rebooted twice',
    })
    expect(cancelled.status).toBe(200)
    expect((cancelled.body.rollout as { status: string }).status).toBe('cancelled')
    const badBody = await api(hub, 'POST', `/api/v1/manifests/${id}/rollout/cancel`, admin, { reason: 7 })
    expect(badBody.status).toBe(400)
    expect(badBody.body.error?.message).toMatch(/reason/)
    for (const step of ['advance', 'pause', 'resume', 'cancel']) {
      const r = await api(hub, 'POST', `/api/v1/manifests/${id}/rollout/${step}`, admin)
      expect(r.status, step).toBe(409)
      expect(r.body.error?.code, step).toBe('ROLLOUT_STATE')
    }
    // The canary's report still counts; nothing more is delivered, even at a new birth.
    await reportState(a, id, 'installed')
    await a.client.publishAsync(topics.device(a.dev.deviceId, 'state'), JSON.stringify(identity('4.1.0')), {
      qos: 1,
      retain: true,
    })
    const audit = await hub.app.hub.store.audit.read({ filter: (e) => e.action === 'manifest.cancel' })
    expect(audit.map((e) => e.detail)).toEqual(['0 device(s) not delivered: canary rebooted twice'])
    expect(b.received).toEqual([])
    // An operator may approve again: the rest of the fleet gets it then.
    expect((await api(hub, 'POST', `/api/v1/manifests/${id}/rollout`, admin, {})).status).toBe(201)
    await until(() => b.received.length === 1 || undefined, 'delivered by the new rollout')
    expect(a.received).toHaveLength(1)
  })

  it('cancels a rollout with no body at all (the reason is optional)', async () => {
    const { hub, admin, id } = await canaryDelivered()
    // No payload and no content-type: what a client sends for a body it leaves out.
    const cancelled = await api(hub, 'POST', `/api/v1/manifests/${id}/rollout/cancel`, admin)
    expect(cancelled.status).toBe(200)
    expect((cancelled.body.rollout as { status: string }).status).toBe('cancelled')
    const audit = await hub.app.hub.store.audit.read({ filter: (e) => e.action === 'manifest.cancel' })
    expect(audit.map((e) => e.detail)).toEqual([expect.stringMatching(/^\d+ device\(s\) not delivered$/)])
  })

  it('retries a device whose install failed, and only that', async () => {
    const hub = await testHub()
    const vendor = await createVendor(hub)
    const admin = await adminToken(hub)
    const [a, b] = await fleet(hub, 2)
    if (!a || !b) throw new Error('fleet')
    const id = (await push(hub, vendor.token, sign(manifest(), vendor.keys))).body.id as string
    await api(hub, 'POST', `/api/v1/manifests/${id}/rollout`, admin, {})
    await until(() => (a.received.length === 1 && b.received.length === 1) || undefined, 'delivered')
    await reportState(a, id, 'failed', { code: 'HOOK_FAILED', reason: 'install hook exited 3' })
    await reportState(b, id, 'rejected', { code: 'BAD_SIGNATURE', reason: 'no trusted signature' })
    const stateOf = async (d: Device) => {
      const detail = await api(hub, 'GET', `/api/v1/manifests/${id}`, admin)
      return (detail.body.targets as { deviceId: string; state: string }[]).find(
        (t) => t.deviceId === d.dev.deviceId,
      )?.state
    }
    await until(
      async () => ((await stateOf(a)) === 'failed' && (await stateOf(b)) === 'rejected') || undefined,
      'reports',
    )
    const retried = await api(hub, 'POST', `/api/v1/manifests/${id}/targets/${a.dev.deviceId}/retry`, admin)
    expect(retried.status).toBe(200)
    await until(() => a.received.length === 2 || undefined, 'offered again')
    expect(await stateOf(a)).toBe('offered')
    const rejected = await api(hub, 'POST', `/api/v1/manifests/${id}/targets/${b.dev.deviceId}/retry`, admin)
    expect(rejected.status).toBe(409)
    expect(rejected.body.error?.message).toMatch(/only a failed install is retried/)
    const stranger = await api(hub, 'POST', `/api/v1/manifests/${id}/targets/nope/retry`, admin)
    expect(stranger.status).toBe(404)
    expect(
      (await api(hub, 'POST', `/api/v1/manifests/${id}/targets/${a.dev.deviceId}/retry`, vendor.token))
        .status,
    ).toBe(403)
    const audit = await hub.app.hub.store.audit.read({ filter: (e) => e.action === 'manifest.retry' })
    expect(audit.map((e) => e.detail)).toEqual([`${a.dev.deviceId} after HOOK_FAILED install hook exited 3`])
  })

  it('refuses a rollout for a manifest that applies to no device', async () => {
    const hub = await testHub()
    const vendor = await createVendor(hub)
    const id = (await push(hub, vendor.token, sign(manifest(), vendor.keys))).body.id as string
    const r = await api(hub, 'POST', `/api/v1/manifests/${id}/rollout`, await adminToken(hub), {})
    expect(r.body.error?.code).toBe('NOT_APPLICABLE')
    expect((await api(hub, 'POST', `/api/v1/manifests/${id}/rollout`, vendor.token, {})).status).toBe(403)
  })
})
