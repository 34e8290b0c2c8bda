/**
 * `node --import tsx test/bench/profile-blocks.ts <file.cpuprofile> [top] [minMs]`: the longest
 * synchronous stretches of a V8 CPU profile. For every call path, the longest run of consecutive
 * samples that all have it on the stack: a path on the stack for 40 ms in a row held the event loop
 * for 40 ms (ranked by samples, i.e. its own CPU time at the default 1 ms interval, since a loaded
 * machine deschedules the process without samples; consecutive calls of the same path from one caller merge, so read the deepest paths).
 */
import { readFileSync } from 'node:fs'
import type { CpuProfile } from './lib/profile.ts'
import { longestStretches, pathsBetween } from './lib/profile-blocks.ts'

const [file, topArg, minArg] = process.argv.slice(2)
if (!file) {
  process.stderr.write(
    'usage: profile-blocks.ts <file.cpuprofile> [top] [minMs]\n' +
      '       profile-blocks.ts <file.cpuprofile> --at <endUs>:<wallMs>  (a block the feeds worker printed)\n',
  )
  process.exit(2)
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile & { startTime: number }
if (topArg === '--at') {
  const [end, wall] = (minArg ?? '').split(':').map(Number)
  if (end === undefined || wall === undefined || Number.isNaN(end) || Number.isNaN(wall)) {
    process.stderr.write('--at needs <endUs>:<wallMs>\n')
    process.exit(2)
  }
  for (const p of pathsBetween(profile, end - wall * 1000, end, 12))
    process.stdout.write(`${String(p.samples).padStart(5)} samples  ${p.path.join(' > ')}\n`)
  process.exit(0)
}
for (const s of longestStretches(profile, Number(topArg ?? 30), Number(minArg ?? 10)))
  process.stdout.write(
    `${String(s.samples).padStart(5)} samples ${s.ms.toFixed(1).padStart(7)} ms at ${s.atMs.toFixed(0)} ms  ${s.path.join(' > ')}\n`,
  )
