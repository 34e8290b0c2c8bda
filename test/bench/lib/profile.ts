/** Self time per function and per file of a V8 CPU profile (`--cpu-prof`, or CDP `Profiler.stop`). */

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileLine {
  name: string
  ms: number
  pct: number
}

const shortUrl = (url: string) =>
  url
    .replace(/^https?:\/\/[^/]+/, '')
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    .replace(/^\/work\/main\//, '') || '(native)'

export function summariseProfile(
  profile: CpuProfile,
  top = 25,
): { byFunction: ProfileLine[]; byFile: ProfileLine[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  for (const [i, id] of profile.samples.entries())
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const fns = new Map<string, number>()
  const files = new Map<string, number>()
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
  for (const [id, us] of self) {
    const f = byId.get(id)?.callFrame
    if (!f) continue
    add(fns, `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`, us)
    add(files, shortUrl(f.url).replace(/\/(dist|lib|build)\/.*/, '/$1'), us)
  }
  const lines = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 100) / 10,
        pct: Math.round((us / total) * 1000) / 10,
      }))
  return { byFunction: lines(fns), byFile: lines(files), totalMs: Math.round(total / 1000) }
}

/** Where a hub's busy time goes, by layer (idle excluded); the first matching pattern wins. */
const LAYERS: [string, RegExp][] = [
  ['garbage collector', /^\(garbage collector\)$/],
  ['broker (aedes, mqtt-packet, qlobber, bl)', /aedes|mqtt-packet|qlobber|BufferList|\/bl\//],
  ['validation (JSON.parse + typebox check)', /protocol\/dist\/validate|typebox/],
  ['live stream (socket.io, engine.io, ws)', /socket\.io|engine\.io|\/ws\//],
  ['metrics (prom-client)', /prom-client/],
  ['hub logic (hub/dist)', /hub\/dist/],
  [
    'node streams, net, buffers',
    /node:internal\/streams|node:net|node:buffer|node:internal\/buffer|node:events/,
  ],
  ['module loading (startup)', /modules\/|loader|compileSourceTextModule|wrapSafe/],
  ['fastify, http', /fastify|node:_http|find-my-way/],
]

export function layers(profile: CpuProfile): ProfileLine[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const out = new Map<string, number>()
  let busy = 0
  for (const [i, id] of profile.samples.entries()) {
    const f = byId.get(id)?.callFrame
    const us = profile.timeDeltas[i] ?? 0
    if (!f || f.functionName === '(idle)') continue
    busy += us
    const layer =
      LAYERS.find(([, re]) => re.test(f.functionName) || re.test(f.url))?.[0] ??
      'other native (writev, fs, timers…)'
    out.set(layer, (out.get(layer) ?? 0) + us)
  }
  return [...out.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: Math.round((us / busy) * 1000) / 10 }))
}
