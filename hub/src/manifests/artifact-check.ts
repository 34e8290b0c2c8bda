/**
 * The hub's own look at a pushed manifest's artifacts: each one it can reach (`http(s)://` at a public
 * address or one the operator allows — see `fetch-guard.ts` — or `file://` under the configured root)
 * within a bounded time and size is streamed through the same verifier the agents use, so a wrong hash
 * or size is refused at push time. What it cannot or may not reach is accepted and marked
 * `unverified`, with the reason — never silently.
 */
import { createReadStream } from 'node:fs'
import { realpath } from 'node:fs/promises'
import { resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ManifestArtifact } from '@vigil/protocol'
import { createArtifactVerifier } from '@vigil/protocol/signing'
import { type FetchAllowList, guardedGet, NOTHING_ALLOWED } from '../net/fetch-guard.js'
import { type Refusal, refusal } from '../refusal.js'

export type ArtifactCheck = 'verified' | 'unverified'

export interface ArtifactCheckOptions {
  timeoutMs: number
  maxBytes: number
  fileRoot?: string | undefined
  /** Non-public hosts/networks the hub may fetch from (default: none). */
  fetchAllow?: FetchAllowList | undefined
}

type One = { ok: true; check: ArtifactCheck; why?: string } | Refusal

async function* fromFile(url: URL, root: string | undefined): AsyncGenerator<Uint8Array> {
  if (root === undefined) throw new Error('file:// artifacts are not read (no artifactFileRoot)')
  const base = await realpath(resolve(root))
  const path = await realpath(fileURLToPath(url))
  if (path !== base && !path.startsWith(base + sep)) throw new Error('outside artifactFileRoot')
  yield* createReadStream(path)
}

async function checkOne(a: ManifestArtifact, opts: ArtifactCheckOptions): Promise<One> {
  if (a.size > opts.maxBytes) return { ok: true, check: 'unverified', why: 'larger than the check limit' }
  let url: URL
  try {
    url = new URL(a.url)
  } catch {
    return { ok: true, check: 'unverified', why: 'not a URL' }
  }
  const signal = AbortSignal.timeout(opts.timeoutMs)
  const source =
    url.protocol === 'file:'
      ? fromFile(url, opts.fileRoot)
      : url.protocol === 'http:' || url.protocol === 'https:'
        ? guardedGet(url, { allow: opts.fetchAllow ?? NOTHING_ALLOWED, signal })
        : undefined
  if (!source) return { ok: true, check: 'unverified', why: `scheme ${url.protocol}` }
  const verifier = createArtifactVerifier(a)
  try {
    for await (const chunk of source) {
      if (signal.aborted) return { ok: true, check: 'unverified', why: 'timed out' }
      const failure = verifier.update(chunk)
      if (failure) break
    }
  } catch (err) {
    return { ok: true, check: 'unverified', why: err instanceof Error ? err.message : String(err) }
  }
  const r = verifier.finish()
  if (r.ok) return { ok: true, check: 'verified' }
  // Name the mismatch, not the bytes found (the hub's view of a URL is not the vendor's business).
  if (r.code === 'ARTIFACT_SIZE')
    return refusal('ARTIFACT_SIZE', `${a.name}: the artifact at its URL is not the signed ${a.size} bytes`)
  return refusal('ARTIFACT_HASH', `${a.name}: the artifact at its URL does not match the signed sha256`)
}

/** 'verified' when every artifact was read and matched; a refusal at the first mismatch. */
export async function checkArtifacts(
  artifacts: readonly ManifestArtifact[],
  opts: ArtifactCheckOptions,
): Promise<{ ok: true; check: ArtifactCheck; notes: string[] } | Refusal> {
  let check: ArtifactCheck = 'verified'
  const notes: string[] = []
  for (const a of artifacts) {
    const r = await checkOne(a, opts)
    if (!r.ok) return r
    if (r.check === 'unverified') {
      check = 'unverified'
      notes.push(`${a.name}: ${r.why ?? 'unreachable'}`)
    }
  }
  return { ok: true, check, notes }
}
