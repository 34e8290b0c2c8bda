/**
 * Issue 6's "done when", across packages: a vendor signs a manifest with nothing but openssl and
 * pushes it with curl to a real hub; it applies to the simulated BD Alaris gateways (real agents with
 * vendor/model/firmware identity) whose firmware has open findings from a real CISA CSAF advisory; an
 * operator rolls it out in waves (canary, then 50 %, then the rest) with a pause; each agent verifies
 * it itself, checks the artifact, runs its install hook (which writes the new firmware version), sends a
 * new inventory, and the findings the manifest fixes resolve on their own.
 */
import { execFile, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type { Agent } from '@vigil/agent'
import type { DsseEnvelope, FeedItem, FindingList, VendorTrust } from '@vigil/protocol'
import { generateKeyPair, signKeyRotation } from '@vigil/protocol/signing'
import { describe, expect, it } from 'vitest'
import { api, dashboardSocket, signIn, startAgent, startTestHub, tempDir, until } from '../src/system.ts'

const CSAF = new URL(
  '../../testdata/csaf-cisa/cisagov__CSAF/csaf_files/OT/white/2023/icsma-23-194-01.json',
  import.meta.url,
)
const MODEL = 'BD Alaris Point-of-Care Unit (PCU) Model 8015'
const CVES = [
  'CVE-2018-1285',
  'CVE-2023-30559',
  'CVE-2023-30560',
  'CVE-2023-30561',
  'CVE-2023-30562',
  'CVE-2023-30563',
  'CVE-2023-30564',
  'CVE-2023-30565',
]

const sh = (dir: string, script: string) =>
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir }).toString()
/** Asynchronous, so the hub in this very process can answer while curl waits. */
const shAsync = async (dir: string, script: string) =>
  (await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, timeout: 30_000 }))
    .stdout

interface Target {
  deviceId: string
  state: string
  wave: number
  code?: string
}
interface ManifestDetail {
  id: string
  coverage: { devices: number; findings: number }
  targets: Target[]
  rollout: { status: string; wave: number; counts: Record<string, number> } | null
}

describe('signed manifest flow: openssl + curl → hub → agents → rollout in waves → findings resolve', () => {
  it('reaches only the applicable agents, which verify, install and close the findings', async () => {
    const hub = await startTestHub()
    const admin = await signIn(hub)
    const work = await tempDir('vigil-vendor-')
    const feed: FeedItem[] = []
    dashboardSocket(hub, admin).on('feed:item', (item) => feed.push(item))

    // The advisory that gives the gateways their findings (real CISA CSAF).
    const adv = await api(hub, '/api/v1/advisories', {
      method: 'POST',
      token: admin,
      body: readFileSync(CSAF, 'utf8'),
    })
    expect(adv.status).toBe(201)

    // The vendor: registered by the admin, key made by openssl.
    const vendor = await api<{ id: string; token: string }>(hub, '/api/v1/vendors', {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ name: 'BD' }),
    })
    expect(vendor.status).toBe(201)
    sh(
      work,
      'openssl genpkey -algorithm ed25519 -out key.pem && openssl pkey -in key.pem -pubout -out pub.pem',
    )
    const publicKeyPem = readFileSync(join(work, 'pub.pem'), 'utf8')
    const key = await api<{ keyid: string }>(hub, `/api/v1/vendors/${vendor.body.id}/keys`, {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ publicKeyPem }),
    })
    expect(key.status).toBe(201)
    // Agents are provisioned at enrollment with the vendor trust the hub shows (no trust configured).
    const trust = (
      await api<{ trust: VendorTrust }>(hub, `/api/v1/vendors/${vendor.body.id}/trust`, { token: admin })
    ).body.trust

    // Four BD Alaris gateways on vulnerable firmware, one gateway of another model.
    const gateways: { agent: Agent; fw: string }[] = []
    for (let i = 0; i < 4; i++) {
      const fw = join(work, `fw-${i}`)
      writeFileSync(fw, '12.1.0\n')
      const agent = await startAgent(hub, admin, {
        name: `alaris-${i}`,
        overrides: {
          identity: { vendor: 'BD', model: MODEL, firmwareFile: fw },
          manifests: { installHook: `printf '%s\\n' "$VIGIL_VERSION" > '${fw}'` },
        },
      })
      gateways.push({ agent, fw })
    }
    const otherFw = join(work, 'fw-other')
    writeFileSync(otherFw, '12.1.0\n')
    const other = await startAgent(hub, admin, {
      name: 'other-model',
      overrides: {
        identity: { vendor: 'BD', model: 'BD Alaris Systems Manager', firmwareFile: otherFw },
      },
    })
    for (const g of [...gateways.map((x) => x.agent), other])
      expect(g.status().manifests?.trusted).toEqual([
        expect.objectContaining({ vendor: trust.vendor, keys: 1, threshold: trust.threshold }),
      ])
    const ids = gateways.map((g) => g.agent.deviceId).sort()
    const openFindings = async (deviceId: string) =>
      (
        await api<FindingList>(hub, `/api/v1/findings?device=${deviceId}&state=open`, { token: admin })
      ).body.findings.filter((f) => f.cve !== null && CVES.includes(f.cve))
    for (const id of ids)
      await until(`findings of ${id}`, async () => (await openFindings(id)).length === CVES.length)

    // The manifest, signed with openssl only (the recipe of protocol/VENDOR.md), pushed with curl.
    const image = 'alaris pcu firmware 12.4.0\n'
    writeFileSync(join(work, 'pcu-12.4.0.bin'), image)
    const now = Date.now()
    const manifest = {
      vendor: 'BD',
      product: 'alaris-pcu',
      version: '12.4.0',
      releasedAt: new Date(now - 3_600_000).toISOString(),
      expiresAt: new Date(now + 30 * 86_400_000).toISOString(),
      appliesTo: { models: [MODEL], versions: 'vers:generic/<=12.1.3' },
      fixes: CVES,
      artifacts: [
        {
          name: 'pcu-12.4.0.bin',
          url: pathToFileURL(join(work, 'pcu-12.4.0.bin')).href,
          sha256: createHash('sha256').update(image).digest('hex'),
          size: Buffer.byteLength(image),
        },
      ],
    }
    writeFileSync(join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    sh(
      work,
      `KEYID=$(openssl pkey -pubin -in pub.pem -outform DER | sha256sum | cut -d' ' -f1)
       TYPE='application/vnd.vigil.manifest+json;version=1'
       LEN=$(wc -c < manifest.json | tr -d ' ')
       printf 'DSSEv1 %d %s %d ' "\${#TYPE}" "$TYPE" "$LEN" > pae.bin
       cat manifest.json >> pae.bin
       openssl pkeyutl -sign -rawin -inkey key.pem -in pae.bin -out sig.bin
       PAYLOAD=$(openssl base64 -A -in manifest.json)
       SIG=$(openssl base64 -A -in sig.bin)
       printf '{"payloadType":"%s","payload":"%s","signatures":[{"keyid":"%s","sig":"%s"}]}\\n' "$TYPE" "$PAYLOAD" "$KEYID" "$SIG" > envelope.json`,
    )
    const curl = async (envelopeFile: string) =>
      (
        await shAsync(
          work,
          `curl -sS -w '\\n%{http_code}' -X POST '${hub.httpUrl}/api/v1/manifests' -H 'Authorization: Bearer ${vendor.body.token}' -H 'Content-Type: application/json' --data-binary @${envelopeFile}`,
        )
      ).trim()
    const pushed = (await curl('envelope.json')).split('\n')
    expect(pushed.at(-1)).toBe('201')
    const accepted = JSON.parse(pushed.slice(0, -1).join('\n')) as ManifestDetail
    expect(accepted.coverage).toEqual({ devices: 4, findings: 4 * CVES.length })
    expect(JSON.parse(readFileSync(join(work, 'envelope.json'), 'utf8'))).toEqual(
      (accepted as unknown as { envelope: unknown }).envelope,
    )
    // The same envelope again is a replay.
    expect(await curl('envelope.json')).toMatch(/"code":"ROLLBACK"[\s\S]*409$/)

    // Every open finding it fixes shows "patch available".
    const patches = await api<{ findings: Record<string, { manifestId: string }[]> }>(
      hub,
      '/api/v1/manifests/patch-available',
      { token: admin },
    )
    const open = (await Promise.all(ids.map(openFindings))).flat()
    for (const f of open) expect(patches.body.findings[f.id]?.[0]?.manifestId).toBe(accepted.id)

    // A hub that alters the manifest before delivery: the agent refuses it.
    const env = JSON.parse(readFileSync(join(work, 'envelope.json'), 'utf8')) as DsseEnvelope
    const altered = {
      ...manifest,
      appliesTo: { ...manifest.appliesTo, models: [MODEL, 'BD Alaris Systems Manager'] },
    }
    await hub.app.hub.commands.send(other.deviceId, {
      cmd: 'install-manifest',
      manifestId: accepted.id,
      envelope: { ...env, payload: Buffer.from(JSON.stringify(altered)).toString('base64') },
    })
    await until(
      'the altered manifest refused',
      async () => other.status().manifests?.refused[0]?.code === 'BAD_SIGNATURE',
    )

    // Rollout in waves: the canary first.
    const detail = async () =>
      (await api<ManifestDetail>(hub, `/api/v1/manifests/${accepted.id}`, { token: admin })).body
    const installed = async (n: number) =>
      until(`${n} installed`, async () => {
        const d = await detail()
        return d.targets.filter((t) => t.state === 'installed').length === n ? d : undefined
      })
    const canary = ids[0] ?? ''
    const approve = await api<ManifestDetail>(hub, `/api/v1/manifests/${accepted.id}/rollout`, {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ canary: [canary], steps: [50, 100] }),
    })
    expect(approve.status).toBe(201)
    let d = await installed(1)
    expect(d.targets).toEqual([expect.objectContaining({ deviceId: canary, state: 'installed', wave: 0 })])
    await until('the canary findings resolved', async () => (await openFindings(canary)).length === 0)
    expect(readFileSync(gateways.find((g) => g.agent.deviceId === canary)?.fw ?? '', 'utf8')).toBe('12.4.0\n')
    expect(
      gateways.find((g) => g.agent.deviceId === canary)?.agent.status().manifests?.installed[0]?.version,
    ).toBe('12.4.0')

    // Paused: nothing moves on.
    const pause = await api(hub, `/api/v1/manifests/${accepted.id}/rollout/pause`, {
      method: 'POST',
      token: admin,
    })
    expect(pause.status).toBe(200)
    const held = await api<{ error: { code: string } }>(
      hub,
      `/api/v1/manifests/${accepted.id}/rollout/advance`,
      { method: 'POST', token: admin },
    )
    expect(held.body.error.code).toBe('ROLLOUT_STATE')
    expect(
      (await api(hub, `/api/v1/manifests/${accepted.id}/rollout/resume`, { method: 'POST', token: admin }))
        .status,
    ).toBe(200)

    // 50 % of the remaining three (two devices), then the rest.
    const wave2 = await api<ManifestDetail>(hub, `/api/v1/manifests/${accepted.id}/rollout/advance`, {
      method: 'POST',
      token: admin,
    })
    expect(wave2.body.targets.filter((t) => t.wave === 1)).toHaveLength(2)
    d = await installed(3)
    await api(hub, `/api/v1/manifests/${accepted.id}/rollout/advance`, { method: 'POST', token: admin })
    d = await installed(4)
    expect(d.rollout?.status).toBe('completed')
    expect(d.targets.map((t) => t.deviceId).sort()).toEqual(ids)
    for (const id of ids)
      await until(`findings of ${id} resolved`, async () => (await openFindings(id)).length === 0)
    expect((await detail()).coverage).toEqual({ devices: 0, findings: 0 })

    // The other model never got it; the operator saw the rollout live.
    expect(d.targets.some((t) => t.deviceId === other.deviceId)).toBe(false)
    expect(other.status().manifests?.installed).toEqual([])
    // The vendor rotates to a new key, signed by its current (openssl) key: the hub follows and every
    // online agent applies it on its own check of the signature.
    const next = generateKeyPair()
    const rotation = signKeyRotation(
      {
        vendor: 'BD',
        keys: [{ keyid: next.keyid, publicKeyPem: next.publicKeyPem }],
        threshold: 1,
        issuedAt: new Date(Date.now() - 1000).toISOString(),
        sequence: 1,
      },
      [readFileSync(join(work, 'key.pem'), 'utf8')],
    )
    const rotated = await api(hub, `/api/v1/vendors/${vendor.body.id}/rotations`, {
      method: 'POST',
      token: vendor.body.token,
      body: JSON.stringify(rotation),
    })
    expect(rotated.status).toBe(201)
    for (const g of [...gateways.map((x) => x.agent), other])
      await until('the rotation applied', async () => g.status().manifests?.trusted[0]?.sequence === 1)

    await until(
      'live feed items',
      async () => feed.filter((f) => f.kind === 'manifest' && f.message.includes('installed')).length >= 4,
    )
  }, 180_000)
})
