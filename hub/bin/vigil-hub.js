#!/usr/bin/env node
/**
 * The `vigil-hub` command. pnpm links a package's bins at install time, before anything is built, so the
 * bin is this committed launcher: it runs the built CLI (`dist/bin/vigil-hub.js`) and, in a fresh clone where
 * nothing is built yet, runs `pnpm build` at the repository root once first.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const cli = new URL('../dist/bin/vigil-hub.js', import.meta.url)
if (!existsSync(cli)) {
  const root = new URL('../../', import.meta.url)
  process.stderr.write('vigil-hub is not built yet: running `pnpm build` at the repository root once…\n')
  // stdout goes to stderr: the command's own output (e.g. --json) stays clean
  const build = spawnSync('pnpm', ['run', 'build'], { cwd: root, stdio: ['ignore', 2, 2] })
  if (build.status !== 0 || !existsSync(cli)) {
    process.stderr.write(
      'vigil-hub: the build failed; run `pnpm install && pnpm build` at the repository root\n',
    )
    process.exit(2)
  }
}
await import(cli.href)
