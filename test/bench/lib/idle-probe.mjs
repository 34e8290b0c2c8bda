/**
 * Preloaded into a hub process by `test/bench/idle.ts` (`node --expose-gc --import <this file> …`). Plain
 * JavaScript so that it runs in the hub's own Node without a TypeScript loader (which would load code of
 * its own and so change the figures). It does nothing until the process receives SIGUSR2; then it
 * forces a full GC, reads the memory figures, optionally writes a heap snapshot, lists every script V8
 * holds (the inspector's `Debugger.scriptParsed`, sent for each loaded script when the debugger is
 * enabled) and writes all of it as JSON to `$VIGIL_IDLE_PROBE_OUT`. Memory is read before the inspector
 * session is opened, so the listing does not count in it.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8'

const out = process.env.VIGIL_IDLE_PROBE_OUT

function scripts() {
  const session = new Session()
  session.connect()
  /** @type {{ url: string; length: number }[]} */
  const seen = []
  session.on('Debugger.scriptParsed', (m) => {
    seen.push({ url: m.params.url, length: m.params.length ?? 0 })
  })
  return new Promise((resolve, reject) => {
    session.post('Debugger.enable', (err) => {
      if (err) return reject(err)
      session.post('Debugger.disable', () => {
        session.disconnect()
        resolve(seen)
      })
    })
  })
}

if (out) {
  process.on('SIGUSR2', () => {
    try {
      measure()
    } catch (err) {
      writeFileSync(out, JSON.stringify({ error: String(err) }))
    }
  })
}

function measure() {
  const before = process.memoryUsage()
  if (typeof globalThis.gc === 'function') globalThis.gc()
  const after = process.memoryUsage()
  const heap = getHeapStatistics()
  const snapshot = process.env.VIGIL_IDLE_PROBE_SNAPSHOT
  if (snapshot) writeHeapSnapshot(snapshot)
  scripts().then(
    (list) => {
      const gcExposed = typeof globalThis.gc === 'function'
      writeFileSync(out, JSON.stringify({ before, after, heap, gcExposed, scripts: list }))
    },
    (err) => writeFileSync(out, JSON.stringify({ error: String(err) })),
  )
}
