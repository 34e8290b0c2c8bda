/** `vigil-agent simulate` (filled in below). */
import type { Io } from './args.js'

export async function simulateCommand(_argv: string[], io: Io): Promise<number> {
  io.err('simulate: not available yet')
  return 1
}
