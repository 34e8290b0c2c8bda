/** `vigil-agent doctor` (filled in below). */
import type { Io } from './args.js'

export async function doctorCommand(_argv: string[], io: Io): Promise<number> {
  io.err('doctor: not available yet')
  return 1
}
