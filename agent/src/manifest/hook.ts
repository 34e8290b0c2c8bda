/**
 * The install hook: a command (run by /bin/sh in the artifact directory) that installs verified
 * artifacts. It sees VIGIL_MANIFEST_ID, VIGIL_VENDOR, VIGIL_PRODUCT, VIGIL_VERSION, VIGIL_ARTIFACT_DIR
 * in its environment and the artifact paths as "$@" (values are passed as arguments, never spliced into
 * the command). Exit 0 means installed; anything else failed (the tail of its output is the reason).
 */
import { spawn } from 'node:child_process'
import type { ManifestPayload } from '@vigil/protocol'

export interface HookInput {
  command: string
  manifestId: string
  payload: ManifestPayload
  artifactDir: string
  artifacts: string[]
  timeoutMs: number
}

export type HookResult = { ok: true } | { ok: false; code: string; message: string }

export function runInstallHook(input: HookInput): Promise<HookResult> {
  return new Promise((resolve) => {
    const script = `export VIGIL_MANIFEST_ID="$1" VIGIL_VENDOR="$2" VIGIL_PRODUCT="$3" VIGIL_VERSION="$4" VIGIL_ARTIFACT_DIR="$5"; shift 5\n${input.command}`
    const p = input.payload
    const args = [input.manifestId, p.vendor, p.product, p.version, input.artifactDir, ...input.artifacts]
    const child = spawn('/bin/sh', ['-c', script, 'vigil-install', ...args], {
      cwd: input.artifactDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let tail = ''
    const keep = (b: Buffer) => {
      tail = (tail + b.toString('utf8')).slice(-1024)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    const timer = setTimeout(() => child.kill('SIGKILL'), input.timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      resolve({ ok: false, code: 'HOOK_FAILED', message: `install hook: ${err.message}` })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) return resolve({ ok: true })
      const how = signal ? `killed by ${signal}` : `exit ${code}`
      resolve({
        ok: false,
        code: 'HOOK_FAILED',
        message: `install hook ${how}${tail.trim() ? `: ${tail.trim()}` : ''}`,
      })
    })
  })
}
