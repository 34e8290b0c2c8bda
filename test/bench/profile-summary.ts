/**
 * `node --import tsx test/bench/profile-summary.ts <file.cpuprofile> [top]`: self time per function and
 * per file of a V8 CPU profile (what `--cpu-prof` writes), to see where a process spends its time.
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

const [file, topArg] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n')
  process.exit(2)
}
const top = Number(topArg ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const selfUs = new Map<number, number>()
for (const [i, id] of profile.samples.entries())
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)

const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    .replace(/^\/work\/main\//, '') || '(native)'
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
const fns = new Map<string, number>()
const files = new Map<string, number>()
for (const [id, us] of selfUs) {
  const n = byId.get(id)
  if (!n) continue
  const f = n.callFrame
  add(fns, `${f.functionName || '(anonymous)'}  ${short(f.url)}:${f.lineNumber + 1}`, us)
  add(
    files,
    short(f.url).replace(/\/dist\/.*|\/lib\/.*/, (m) => (m.startsWith('/dist') ? '/dist' : '/lib')),
    us,
  )
}
const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)\n`)
  for (const [k, us] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`,
    )
  }
}
print('self time by function', fns)
print('self time by package/file', files)
