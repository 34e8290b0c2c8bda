/**
 * `node --import tsx test/bench/profile-summary.ts <file.cpuprofile> [top]`: self time per function and
 * per file of a V8 CPU profile (what `--cpu-prof` writes), to see where a process spends its time.
 */
import { readFileSync } from 'node:fs'
import { type CpuProfile, layers, type ProfileLine, summariseProfile } from './lib/profile.ts'

const [file, topArg] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n')
  process.exit(2)
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
const s = summariseProfile(profile, Number(topArg ?? 25))
const print = (title: string, lines: ProfileLine[]) => {
  process.stdout.write(`\n${title} (of ${s.totalMs} ms sampled)\n`)
  for (const l of lines)
    process.stdout.write(`${l.pct.toFixed(1).padStart(5)}%  ${l.ms.toFixed(0).padStart(7)} ms  ${l.name}\n`)
}
print('self time by function', s.byFunction)
print('self time by package/file', s.byFile)
print('busy time by layer (idle excluded)', layers(profile))
