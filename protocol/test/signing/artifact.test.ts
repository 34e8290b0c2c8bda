import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { artifactPath, checkArtifactFile, createArtifactVerifier } from '../../src/signing/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'vigil-artifact-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const content = Buffer.from('firmware image 4.2.1\n'.repeat(1000))
const signed = {
  name: 'igw-4.2.1.bin',
  sha256: createHash('sha256').update(content).digest('hex'),
  size: content.length,
}
writeFileSync(join(dir, 'good.bin'), content)
const codeOf = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code)

describe('checkArtifactFile', () => {
  it('accepts the exact signed bytes', async () => {
    expect(await checkArtifactFile(join(dir, 'good.bin'), signed)).toEqual({
      ok: true,
      ...signed,
      name: undefined,
    })
  })
  it('refuses a wrong hash with the same size: ARTIFACT_HASH', async () => {
    const evil = Buffer.from(content)
    evil[100] = 0x41
    writeFileSync(join(dir, 'evil.bin'), evil)
    expect(codeOf(await checkArtifactFile(join(dir, 'evil.bin'), signed))).toBe('ARTIFACT_HASH')
  })
  it('refuses a shorter and a longer file: ARTIFACT_SIZE', async () => {
    writeFileSync(join(dir, 'short.bin'), content.subarray(0, content.length - 1))
    writeFileSync(join(dir, 'long.bin'), Buffer.concat([content, Buffer.from('x')]))
    expect(codeOf(await checkArtifactFile(join(dir, 'short.bin'), signed))).toBe('ARTIFACT_SIZE')
    expect(codeOf(await checkArtifactFile(join(dir, 'long.bin'), signed))).toBe('ARTIFACT_SIZE')
  })
  it('refuses a missing file: ARTIFACT_MISSING', async () => {
    expect(codeOf(await checkArtifactFile(join(dir, 'nope.bin'), signed))).toBe('ARTIFACT_MISSING')
  })
})

describe('createArtifactVerifier', () => {
  it('stops at the first chunk past the signed size, hashing nothing more', () => {
    const v = createArtifactVerifier(signed)
    expect(v.update(content)).toBeUndefined()
    expect(codeOf(v.update(Buffer.from('more')) ?? { ok: true })).toBe('ARTIFACT_SIZE')
    expect(codeOf(v.finish())).toBe('ARTIFACT_SIZE')
  })
  it('accepts the content fed in chunks', () => {
    const v = createArtifactVerifier(signed)
    for (let i = 0; i < content.length; i += 777) v.update(content.subarray(i, i + 777))
    expect(codeOf(v.finish())).toBe('ok')
  })
})

describe('artifactPath', () => {
  it('joins a bare name', () => {
    const r = artifactPath(dir, 'igw-4.2.1.bin')
    expect(r.ok && r.path).toBe(join(dir, 'igw-4.2.1.bin'))
  })
  it.each(['../etc/passwd', '/etc/passwd', 'a/b.bin', 'a\\b.bin', '..', '.', '', 'x\u0000.bin'])(
    'refuses %j: ARTIFACT_NAME',
    (name) => {
      expect(codeOf(artifactPath(dir, name))).toBe('ARTIFACT_NAME')
    },
  )
})
