/**
 * SIGINT/SIGTERM for the long-running commands: the first one asks for an orderly stop (the promise
 * resolves); a second one, while that stop is under way, exits at once.
 */
export function onStopSignal(first?: (signal: NodeJS.Signals) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
      process.once('SIGINT', () => process.exit(130))
      process.once('SIGTERM', () => process.exit(143))
      first?.(signal)
      resolve(signal)
    }
    process.on('SIGINT', handler)
    process.on('SIGTERM', handler)
  })
}
