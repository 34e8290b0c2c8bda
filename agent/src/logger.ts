/** A tiny leveled logger writing one line per entry to stderr (journald adds the timestamp). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug(msg: string): void
  info(msg: string): void
  warn(msg: string): void
  error(msg: string): void
}

export function createLogger(
  level: LogLevel,
  prefix = 'vigil-agent',
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const at = (l: LogLevel) => (msg: string) => {
    if (ORDER[l] >= ORDER[level]) write(`${prefix} ${l}: ${msg}`)
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
