/** `vigil-agent run [--dir <stateDir>] [--config <file>]`: the daemon; SIGINT/SIGTERM stop it in order. */
import { createAgent } from '../agent.js'
import { loadAgentConfig } from '../config/load.js'
import { createLogger } from '../logger.js'
import { type Io, parse } from './args.js'

export async function runCommand(argv: string[], _io: Io): Promise<number> {
  const a = parse(argv, { dir: { type: 'string' }, config: { type: 'string' } })
  const config = loadAgentConfig({
    ...(a.dir ? { stateDir: a.dir } : {}),
    ...(a.config ? { file: a.config } : {}),
  })
  const log = createLogger(config.logLevel)
  const agent = createAgent({ config, logger: log })
  await agent.start()
  log.info(`running as ${agent.deviceId}, state in ${config.stateDir}`)
  await new Promise<void>((resolve) => {
    let stopping = false
    const onSignal = (sig: string) => {
      if (stopping) return
      stopping = true
      log.info(`${sig}: stopping`)
      agent.stop().then(resolve, (err: Error) => {
        log.error(`stop: ${err.message}`)
        resolve()
      })
    }
    process.once('SIGINT', () => onSignal('SIGINT'))
    process.once('SIGTERM', () => onSignal('SIGTERM'))
  })
  return 0
}
