/**
 * The operator root on a real hub: `vigil-hub trust init|delegate` against the running hub's API, the
 * hub refusing what devices would refuse (same codes), the enrollment answer carrying the root chain,
 * and a delegation reaching an online device over MQTT at once (its answer recorded per device).
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { DelegationPayload, DsseEnvelope, RootPayload } from '@vigil/protocol'
import {
  generateKeyPair,
  readDelegation,
  readRoot,
  signDelegation,
  signRoot,
  trustKeyOf,
} from '@vigil/protocol/signing'
import { describe, expect, it } from 'vitest'
import { trustCommand } from '../../../src/manifests/trust/cli.ts'
import type { RunningHub } from '../../../src/server.ts'
import { adminToken, birth, connectEnrolled, enroll, tempDir, testHub, until } from '../../helpers.ts'
import { api, createVendor } from '../fixtures.ts'

async function run(
  argv: string[],
  dataDir = '/nonexistent',
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const o = process.stdout.write.bind(process.stdout)
  const e = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((s: string) => out.push(String(s)) > 0) as typeof process.stdout.write
  process.stderr.write = ((s: string) => err.push(String(s)) > 0) as typeof process.stderr.write
  try {
    const code = await trustCommand(argv, { dataDir } as never)
    return { code, out: out.join(''), err: err.join('') }
  } finally {
    process.stdout.write = o
    process.stderr.write = e
  }
}

async function initRoot(hub: RunningHub) {
  const dir = await tempDir()
  const token = await adminToken(hub)
  const r = await run(['init', '--out', dir, '--hub', hub.httpUrl, `--token=${token}`])
  expect(r.err).toBe('')
  expect(r.code).toBe(0)
  const keys = await Promise.all([1, 2, 3].map((i) => readFile(join(dir, `root-${i}.pem`), 'utf8')))
  const env = JSON.parse(await readFile(join(dir, 'root-v1.dsse.json'), 'utf8')) as DsseEnvelope
  const root = readRoot(env)
  if (!root.ok) throw new Error(root.message)
  return { dir, token, keys, env, root: root.payload, fingerprint: root.fingerprint, out: r.out }
}

describe('vigil-hub trust init', () => {
  it('writes 3 private keys mode 0600, prints the fingerprint and installs a 2-of-3 root on the running hub', async () => {
    const hub = await testHub()
    const r = await initRoot(hub)
    expect(r.out).toContain(`root fingerprint: ${r.fingerprint}`)
    for (const f of (await readdir(r.dir)).filter((f) => /^root-\d\.pem$/.test(f)))
      expect((await stat(join(r.dir, f))).mode & 0o777).toBe(0o600)
    expect(r.root.threshold).toBe(2)
    const view = await api(hub, 'GET', '/api/v1/trust', r.token)
    expect(view.body.root).toMatchObject({ version: 1, fingerprint: r.fingerprint, threshold: 2 })
    // A second, unrelated root is not a rotation of the first.
    const other = generateKeyPair()
    const forged: RootPayload = {
      ...r.root,
      version: 2,
      keys: [trustKeyOf(other.publicKeyPem)],
      threshold: 1,
    }
    const refused = await api(
      hub,
      'POST',
      '/api/v1/trust/root',
      r.token,
      signRoot(forged, [other.privateKeyPem]),
    )
    expect([refused.status, refused.body.error?.code]).toEqual([422, 'ROOT_SIGNATURE_THRESHOLD'])
    // The enrollment answer carries the chain and the fingerprint.
    const device = (await enroll(hub, 'gw-trust')) as unknown as {
      trust?: { fingerprint: string; roots: unknown[] }
    }
    expect(device.trust?.fingerprint).toBe(r.fingerprint)
    expect(device.trust?.roots).toHaveLength(1)
  })
  it('without --hub, installs the root into the data directory of a stopped hub, which then serves it', async () => {
    const dataDir = await tempDir()
    const keys = await tempDir()
    const r = await run(['init', '--out', keys, '--keys', '2', '--threshold', '2'], dataDir)
    expect([r.code, r.err]).toEqual([0, ''])
    const fingerprint = /root fingerprint: ([0-9a-f]{64})/.exec(r.out)?.[1]
    // Keys are never overwritten (a usage error: vigil-hub exits 2).
    await expect(run(['init', '--out', keys], dataDir)).rejects.toThrow(/never overwritten/)
    const hub = await testHub({}, dataDir)
    const view = await api(hub, 'GET', '/api/v1/trust', await adminToken(hub))
    expect(view.body.root).toMatchObject({ version: 1, threshold: 2, fingerprint })
  })
  it('follows a rotation signed by 2 old and 2 new keys, refuses a replay of v1', async () => {
    const hub = await testHub()
    const r = await initRoot(hub)
    const next = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
    const v2: RootPayload = { ...r.root, version: 2, keys: next.map((k) => trustKeyOf(k.publicKeyPem)) }
    const onlyNew = await api(
      hub,
      'POST',
      '/api/v1/trust/root',
      r.token,
      signRoot(
        v2,
        next.map((k) => k.privateKeyPem),
      ),
    )
    expect(onlyNew.body.error?.code).toBe('ROOT_SIGNATURE_THRESHOLD')
    const ok = await api(
      hub,
      'POST',
      '/api/v1/trust/root',
      r.token,
      signRoot(v2, [r.keys[0] as string, r.keys[2] as string, ...next.slice(1).map((k) => k.privateKeyPem)]),
    )
    expect([ok.status, ok.body.version]).toEqual([201, 2])
    const replay = await api(hub, 'POST', '/api/v1/trust/root', r.token, r.env)
    expect([replay.status, replay.body.error?.code]).toEqual([409, 'ROOT_REPLAY'])
  })
})

describe('vigil-hub trust delegate', () => {
  it('signs the vendor’s current keys and publishes; the hub refuses one root key, an altered one and a replay', async () => {
    const hub = await testHub()
    const r = await initRoot(hub)
    const vendor = await createVendor(hub, { name: 'Westermo' })
    const pending = await api(hub, 'GET', '/api/v1/trust/delegations/pending?vendor=Westermo', r.token)
    expect(pending.body.upToDate).toBe(false)
    expect(String(pending.body.command)).toContain("--vendor 'Westermo'")
    const one = await run([
      'delegate',
      '--vendor',
      'Westermo',
      '--key',
      join(r.dir, 'root-1.pem'),
      '--hub',
      hub.httpUrl,
      `--token=${r.token}`,
    ])
    expect([one.code, one.err.trim()]).toEqual([1, expect.stringMatching(/^REFUSED DELEGATION_THRESHOLD/)])
    const two = await run([
      'delegate',
      '--vendor',
      'Westermo',
      '--key',
      join(r.dir, 'root-1.pem'),
      '--key',
      join(r.dir, 'root-3.pem'),
      '--hub',
      hub.httpUrl,
      `--token=${r.token}`,
      '--out',
      join(r.dir, 'd1.json'),
    ])
    expect(two.code).toBe(0)
    expect(two.out).toContain('delegated "Westermo" v1')
    const view = await api(hub, 'GET', '/api/v1/trust', r.token)
    expect(view.body.delegations).toEqual([
      expect.objectContaining({
        vendor: 'Westermo',
        version: 1,
        current: true,
        keyids: [vendor.keys[0]?.keyid],
      }),
    ])
    const d1 = JSON.parse(await readFile(join(r.dir, 'd1.json'), 'utf8')) as DsseEnvelope
    const read = readDelegation(d1)
    if (!read.ok) throw new Error(read.message)
    // The hub swaps in a key of its own: the signatures no longer verify.
    const mine = generateKeyPair()
    const swapped = { ...read.payload, version: 2, keys: [trustKeyOf(mine.publicKeyPem)] }
    const altered = await api(hub, 'POST', '/api/v1/trust/delegations', r.token, {
      ...d1,
      payload: Buffer.from(JSON.stringify(swapped)).toString('base64'),
    })
    expect(altered.body.error?.code).toBe('DELEGATION_ALTERED')
    // v2 then a replay of v1.
    const v2: DelegationPayload = { ...read.payload, version: 2 }
    expect(
      (
        await api(
          hub,
          'POST',
          '/api/v1/trust/delegations',
          r.token,
          signDelegation(v2, [r.keys[1] as string, r.keys[2] as string]),
        )
      ).status,
    ).toBe(201)
    const replay = await api(hub, 'POST', '/api/v1/trust/delegations', r.token, d1)
    expect([replay.status, replay.body.error?.code]).toEqual([409, 'DELEGATION_REPLAY'])
  })
  it('sends a new delegation at once to an online device, and again at a birth that lacks it', async () => {
    const hub = await testHub()
    const r = await initRoot(hub)
    await createVendor(hub, { name: 'Westermo' })
    const dev = await enroll(hub, 'gw-online')
    const client = await connectEnrolled(hub, dev)
    const commands: { cmd: string; delegations?: unknown[] }[] = []
    client.on('message', (_t, buf) => commands.push(JSON.parse(buf.toString())))
    await new Promise<void>((res) =>
      client.subscribe(`vigil/v1/dev/${dev.deviceId}/cmd/req`, { qos: 1 }, () => res()),
    )
    client.publish(
      `vigil/v1/dev/${dev.deviceId}/state`,
      JSON.stringify(birth({ trust: { root: { version: 1, fingerprint: r.fingerprint }, delegations: {} } })),
      { qos: 1, retain: true },
    )
    await until(() => hub.app.hub.registry.get(dev.deviceId)?.trust?.root?.version === 1 || undefined)
    const out = await run([
      'delegate',
      '--vendor',
      'Westermo',
      '--key',
      join(r.dir, 'root-2.pem'),
      '--key',
      join(r.dir, 'root-3.pem'),
      '--hub',
      hub.httpUrl,
      `--token=${r.token}`,
    ])
    expect(out.out).toContain('sent to 1 online device')
    await until(() => commands.find((c) => c.cmd === 'apply-trust' && c.delegations?.length === 1))
    // The device answers what it holds: recorded, shown per device.
    const req = commands.find((c) => c.cmd === 'apply-trust') as unknown as { tx: string }
    client.publish(
      `vigil/v1/dev/${dev.deviceId}/cmd/res`,
      JSON.stringify({
        v: 1,
        tx: req.tx,
        status: 'ok',
        data: {
          root: { version: 1, fingerprint: r.fingerprint },
          delegations: {},
          refused: [
            {
              kind: 'delegation',
              vendor: 'Westermo',
              version: 1,
              code: 'DELEGATION_THRESHOLD',
              reason: 'test',
            },
          ],
        },
      }),
      { qos: 1 },
    )
    const list = await until(async () => {
      const l = await api(hub, 'GET', '/api/v1/trust/devices', r.token)
      const d = (l.body.devices as { deviceId: string; refused: { code: string }[] }[]).find(
        (x) => x.deviceId === dev.deviceId,
      )
      return d?.refused.length ? d : undefined
    })
    expect(list.refused[0]?.code).toBe('DELEGATION_THRESHOLD')
    // A birth saying it holds no delegation gets the bundle again.
    commands.length = 0
    client.publish(
      `vigil/v1/dev/${dev.deviceId}/state`,
      JSON.stringify(birth({ trust: { root: { version: 1, fingerprint: r.fingerprint }, delegations: {} } })),
      { qos: 1, retain: true },
    )
    await until(() => commands.find((c) => c.cmd === 'apply-trust'))
  })
})
