/**
 * Artifact checks an agent runs before anything else touches a download: the exact size and SHA-256
 * the vendor signed. The streaming verifier fails as soon as more bytes arrive than were signed, so an
 * endless or swapped download is cut short instead of filling the disk.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { basename, join } from 'node:path'
import type { ManifestArtifact } from '../messages/manifest.js'
import { fail, type SigningFailure } from './errors.js'

export type ArtifactCheck = { ok: true; sha256: string; size: number } | SigningFailure

export interface ArtifactVerifier {
  /** Feeds the next chunk; answers a failure (ARTIFACT_SIZE) as soon as the signed size is exceeded. */
  update(chunk: Uint8Array): SigningFailure | undefined
  /** Answers ok only if exactly `size` bytes with the signed SHA-256 were fed. */
  finish(): ArtifactCheck
}

export function createArtifactVerifier(
  artifact: Pick<ManifestArtifact, 'name' | 'sha256' | 'size'>,
): ArtifactVerifier {
  const hash = createHash('sha256')
  let size = 0
  let failed: SigningFailure | undefined
  return {
    update(chunk) {
      if (failed) return failed
      size += chunk.byteLength
      if (size > artifact.size) {
        failed = fail('ARTIFACT_SIZE', `${artifact.name}: more than the signed ${artifact.size} bytes`)
        return failed
      }
      hash.update(chunk)
      return undefined
    },
    finish() {
      if (failed) return failed
      if (size !== artifact.size) {
        return fail('ARTIFACT_SIZE', `${artifact.name}: ${size} bytes, signed size is ${artifact.size}`)
      }
      const sha256 = hash.digest('hex')
      if (sha256 !== artifact.sha256) {
        return fail(
          'ARTIFACT_HASH',
          `${artifact.name}: SHA-256 ${sha256} is not the signed ${artifact.sha256}`,
        )
      }
      return { ok: true, sha256, size }
    },
  }
}

/** Where an artifact goes inside `dir`; refuses (ARTIFACT_NAME) any name that is not a bare file name. */
export function artifactPath(dir: string, name: string): { ok: true; path: string } | SigningFailure {
  if (!/^[A-Za-z0-9._+-]{1,255}$/.test(name) || name === '.' || name === '..' || basename(name) !== name) {
    return fail('ARTIFACT_NAME', `artifact name ${JSON.stringify(name)} is not a bare file name`)
  }
  return { ok: true, path: join(dir, name) }
}

/** Checks a file on disk against the signed size and SHA-256 (reads at most size + 1 bytes). */
export async function checkArtifactFile(
  path: string,
  artifact: Pick<ManifestArtifact, 'name' | 'sha256' | 'size'>,
): Promise<ArtifactCheck> {
  const verifier = createArtifactVerifier(artifact)
  try {
    for await (const chunk of createReadStream(path, { end: artifact.size })) {
      const failure = verifier.update(chunk as Buffer)
      if (failure) return failure
    }
  } catch (err) {
    return fail(
      'ARTIFACT_MISSING',
      `${artifact.name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    )
  }
  return verifier.finish()
}
