/**
 * Issue 18.4: a check that could not run (`error`) or does not apply (`not_applicable`: no SSH server)
 * is not a failure. A gateway without sshd reports its SSH checks not applicable; the hub counts and
 * scores only the failures.
 */
import {
  type CheckResult,
  type DevicePosture,
  type DeviceSummary,
  type HardeningReport,
  PROTOCOL_VERSION,
  topics,
} from '@vigil/protocol'
import { describe, expect, it } from 'vitest'
import { hardeningContentHash } from '../../../src/ingest/content-hash.ts'
import { adminToken, birth, connectEnrolled, enroll, testHub, until } from '../../helpers.ts'

const result = (id: string, status: CheckResult['status']): CheckResult => ({
  id,
  title: id,
  severity: 'high',
  status,
  evidence: status === 'not_applicable' ? '/etc/ssh/sshd_config does not exist (not installed)' : 'e',
})

describe('hardening results that are not failures', () => {
  it('counts and scores only failed checks; errors and not-applicable ones are shown, not deducted', async () => {
    const hub = await testHub()
    const token = await adminToken(hub)
    const dev = await enroll(hub)
    const client = await connectEnrolled(hub, dev)
    await client.publishAsync(topics.device(dev.deviceId, 'state'), JSON.stringify(birth()), { qos: 1 })
    const results = [
      result('telnet-absent', 'fail'),
      result('sysctl-ip-forward', 'fail'),
      result('shadow-perms', 'error'),
      ...['ssh-root-login', 'ssh-password-auth', 'ssh-empty-passwords', 'ssh-x11-forwarding'].map((id) =>
        result(id, 'not_applicable'),
      ),
      result('passwd-perms', 'pass'),
    ]
    const report: HardeningReport = {
      v: PROTOCOL_VERSION,
      ts: new Date().toISOString(),
      hash: '',
      baseline: { id: 'vigil-default', version: 1 },
      results,
      drift: [],
    }
    report.hash = hardeningContentHash(report)
    await client.publishAsync(topics.device(dev.deviceId, 'hardening'), JSON.stringify(report), { qos: 1 })
    const get = async <T>(url: string) =>
      (await hub.app.inject({ url, headers: { authorization: `Bearer ${token}` } })).json<T>()
    const device = await until(async () => {
      const d = await get<DeviceSummary & { hardening?: { results: CheckResult[] } }>(
        `/api/v1/devices/${dev.deviceId}`,
      )
      return d.failingChecks === 2 ? d : undefined
    }, 'the hardening report counted as 2 failing checks')
    expect(device.failingChecks).toBe(2)
    const posture = await get<DevicePosture>(`/api/v1/posture/devices/${dev.deviceId}`)
    expect(posture.reasons).toContainEqual({
      points: 6,
      reason: '2 failing hardening check(s) × 3 (at most 30)',
    })
  })
})
