import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface Run {
  code: number
  stdout: string
  stderr: string
}

let built: Promise<string> | undefined
let builtDir: string | undefined

export function removeCli(): void {
  if (builtDir !== undefined) rmSync(builtDir, { recursive: true, force: true })
}

/** Bundles src/vendor/cli.ts once into a plain Node script (a real build, from the current source). */
export function buildCli(): Promise<string> {
  built ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'vigil-vendor-build-'))
    builtDir = outDir
    await build({
      configFile: false,
      logLevel: 'silent',
      root: ROOT,
      ssr: { noExternal: true },
      build: {
        ssr: 'src/vendor/cli.ts',
        outDir,
        emptyOutDir: true,
        minify: false,
        target: 'node20',
        rollupOptions: { output: { entryFileNames: 'vigil-vendor.mjs' } },
      },
    })
    return join(outDir, 'vigil-vendor.mjs')
  })()
  return built
}

/** Runs the real vigil-vendor CLI as a child process. */
export async function vendor(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Run> {
  const cli = await buildCli()
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, VIGIL_VENDOR_TOKEN: '', VIGIL_HUB_URL: '', ...options.env },
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}
