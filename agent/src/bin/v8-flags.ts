/**
 * V8 flags for the long-running daemon, set before any other module is loaded (the bin imports this
 * module first), the same as in `systemd/vigil-agent.service`, so `node vigil-agent.js run` behaves
 * alike however it is started. The daemon allocates in bursts (start-up, a scan every 15 minutes),
 * idles in between and has a tiny CPU budget, so it trades speed for memory: `--optimize-for-size`
 * (conservative heap growth, memory-reducing GCs), `--no-opt` (no optimising compiler, whose code and
 * zone memory cost ~10 MB of resident set) and a young generation that keeps its initial size instead
 * of growing to 2 × 16 MB in a burst and staying there. The other subcommands are short-lived and keep
 * V8's defaults.
 */
import { setFlagsFromString } from 'node:v8'

const V8_FLAGS: Record<string, string> = {
  run: '--optimize-for-size --no-opt --semi-space-growth-factor=1',
}

const flags = V8_FLAGS[process.argv[2] ?? '']
if (flags) setFlagsFromString(flags)
