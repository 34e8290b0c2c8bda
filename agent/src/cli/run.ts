/** `vigil-agent run [--dir <stateDir>] [--config <file>]`: the daemon; SIGINT/SIGTERM stop it in order. */
import { createAgent } from '../agent.js'
import { loadAgentConfig } from '../config/load.js'
import { createLogger } from '../logger.js'
import { type Io, parse } from './args.js'
import { onStopSignal } from './signals.js'

export async function runCommand(argv: string[], _io: Io): Promise<number> {
  const a = parse(argv, { dir: { type: 'string' }, config: { type: 'string' } })
  const config = loadAgentConfig({
    ...(a.dir ? { stateDir: a.dir } : {}),
    ...(a.config ? { file: a.config } : {}),
  })
  const log = createLogger(config.logLevel)
  const agent = createAgent({ config, logger: log })
  // Handled from before the start: a signal during start-up stops the agent as soon as it is up.
  const stopRequested = onStopSignal((sig) => log.info(`${sig}: stopping`))
  await agent.start()
  log.info(`running as ${agent.deviceId}, state in ${config.stateDir}`)
  await stopRequested
  try {
    await agent.stop()
  } catch (err) {
    log.error(`stop: ${(err as Error).message}`)
  }
  return 0
}
