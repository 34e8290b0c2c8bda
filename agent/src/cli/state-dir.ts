/**
 * Which state directory the technician's `status` and `doctor` read. `pnpm start` runs this machine's
 * agent with its state in `./data/local-agent` (the hub's data directory); a technician who then types
 * `vigil-agent status` without `--dir` means that agent, not an unenrolled /var/lib/vigil-agent.
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { loadAgentConfig } from '../config/load.js'
import { credentialsPath } from '../credentials.js'
import type { AgentConfig } from '../schemas/agent-config.js'
import { DEFAULT_STATE_DIR } from '../schemas/defaults.js'
import type { Io } from './args.js'

/** Where `vigil-hub serve --local-agent` (what `pnpm start` runs) keeps its agent, from the repository root. */
export const LOCAL_AGENT_DIR = join('data', 'local-agent')

export interface StateDirChoice {
  dir: string
  /** Said to the technician when the directory is not the one configured. */
  note?: string
}

/**
 * The configured directory, unless nothing chose it (no --dir, VIGIL_AGENT_DIR or config file: it is
 * the default), it holds no enrollment, and `<cwd>/data/local-agent` does.
 */
export function technicianStateDir(configured: string, defaultDir: string, cwd: string): StateDirChoice {
  if (configured !== defaultDir || existsSync(credentialsPath(configured))) return { dir: configured }
  const local = resolve(cwd, LOCAL_AGENT_DIR)
  if (!existsSync(credentialsPath(local))) return { dir: configured }
  return {
    dir: local,
    note: `${defaultDir} holds no enrollment; showing the agent \`pnpm start\` runs (state in ${local}; --dir chooses another)`,
  }
}

/**
 * The configuration `status` and `doctor` read: `--dir` if given, else the configured state directory,
 * else the one `pnpm start`'s local agent uses (said on stderr unless `--json`).
 */
export function technicianConfig(
  a: { dir?: string | undefined; config?: string | undefined; json?: boolean | undefined },
  io: Io,
): AgentConfig {
  const configured = loadAgentConfig({
    ...(a.dir ? { stateDir: a.dir } : {}),
    ...(a.config ? { file: a.config } : {}),
  })
  const where = a.dir
    ? { dir: configured.stateDir }
    : technicianStateDir(configured.stateDir, DEFAULT_STATE_DIR, process.cwd())
  const config =
    where.dir === configured.stateDir
      ? configured
      : loadAgentConfig({ stateDir: where.dir, ...(a.config ? { file: a.config } : {}) })
  if (where.note && !a.json) io.err(where.note)
  return config
}
