/**
 * Fetches an artifact (`file://`, `http://`, `https://`) streaming every byte through the signed size and
 * SHA-256 check into `<dir>/.<name>.part`; only a download that passed is renamed to `<dir>/<name>`.
 * Nothing else ever reads a file that was not checked.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { ManifestArtifact } from '@vigil/protocol'
import { artifactPath, createArtifactVerifier } from '@vigil/protocol/signing'

export type DownloadResult =
  | { ok: true; path: string; sha256: string; size: number }
  | { ok: false; code: string; message: string }

async function open(url: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
  const u = new URL(url)
  if (u.protocol === 'file:') return createReadStream(fileURLToPath(u), { signal })
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`unsupported URL scheme ${u.protocol}`)
  const res = await fetch(u, { signal, redirect: 'follow' })
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim())
  return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>)
}

type DownloadCheck = { ok: true; sha256: string; size: number } | { ok: false; code: string; message: string }

export async function downloadArtifact(
  artifact: ManifestArtifact,
  dir: string,
  timeoutMs: number,
): Promise<DownloadResult> {
  const target = artifactPath(dir, artifact.name)
  if (!target.ok) return target
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const part = join(dir, `.${artifact.name}.part`)
  const verifier = createArtifactVerifier(artifact)
  const controller = new AbortController()
  const timer = setTimeout(
    () => controller.abort(new Error(`download timed out after ${timeoutMs} ms`)),
    timeoutMs,
  )
  let check: DownloadCheck = {
    ok: false,
    code: 'DOWNLOAD_FAILED',
    message: `${artifact.name}: not downloaded`,
  }
  let done = false
  const out = createWriteStream(part, { mode: 0o600 })
  try {
    const source = await open(artifact.url, controller.signal)
    for await (const chunk of source) {
      const failure = verifier.update(chunk)
      if (failure) {
        check = failure
        done = true
        break
      }
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
    }
    if (!done) check = verifier.finish()
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    check = {
      ok: false,
      code: e.code === 'ENOENT' ? 'ARTIFACT_MISSING' : 'DOWNLOAD_FAILED',
      message: `${artifact.name}: ${e.message}`,
    }
  } finally {
    clearTimeout(timer)
    controller.abort()
    await new Promise<void>((resolve) => out.end(() => resolve()))
  }
  if (!check.ok) {
    await rm(part, { force: true })
    return { ok: false, code: check.code, message: check.message }
  }
  await rename(part, target.path)
  return { ok: true, path: target.path, sha256: check.sha256, size: check.size }
}
