/**
 * The per-device delivery sequence (protocol `seq`/`epoch`, see protocol/README.md). `sequence.json` in
 * the outbox directory holds the epoch (random, made when the directory is first initialised) and a
 * reserved high-water mark: numbers are handed out up to it without a write, and the next block is
 * reserved (one durable write per BLOCK numbers, half a block ahead) so the counter survives restarts
 * even with an empty outbox. Gaps after a restart are allowed.
 *
 * Invariant: a number handed out under the persisted epoch never exceeds the persisted reservation.
 * When the reservation cannot be written (disk full), the sequence moves to a fresh epoch kept in
 * memory: after a restart the persisted epoch differs from it, so the hub applies what follows even
 * if lower numbers are reused. Numbers keep increasing across the switch, so file order stays seq order.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { type OutboxFs, writeAtomic } from './files.js'

export const SEQUENCE_FILE = 'sequence.json'
export const BLOCK = 10_000
const EPOCH = /^[A-Za-z0-9_-]{8,64}$/

export interface Sequence {
  /** Reads the persisted state; `highest` is the largest sequence number found in outbox files. */
  load(highest: number): Promise<void>
  next(): Promise<{ seq: number; epoch: string }>
  readonly epoch: string
}

export const newEpoch = (): string => randomBytes(12).toString('base64url')

export function createSequence(fs: OutboxFs, dir: string, onError: (m: string) => void): Sequence {
  const file = join(dir, SEQUENCE_FILE)
  let epoch = ''
  let seq = 0
  let persisted = { epoch: '', reserved: 0 }

  async function reserve(upTo: number): Promise<boolean> {
    try {
      await writeAtomic(fs, dir, file, JSON.stringify({ epoch, reserved: upTo }), true)
      persisted = { epoch, reserved: upTo }
      return true
    } catch (err) {
      onError(`outbox: cannot reserve sequence numbers (${(err as Error).message})`)
      return false
    }
  }

  return {
    get epoch() {
      return epoch
    },
    async load(highest) {
      let saved: { epoch?: unknown; reserved?: unknown } = {}
      try {
        saved = JSON.parse(await fs.readFile(file))
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          onError(`outbox: ${file} is unreadable (${(err as Error).message}); a new epoch starts`)
      }
      const known = typeof saved.epoch === 'string' && EPOCH.test(saved.epoch)
      const reserved = known && Number.isSafeInteger(saved.reserved) ? (saved.reserved as number) : 0
      epoch = known ? (saved.epoch as string) : newEpoch()
      persisted = known ? { epoch, reserved } : { epoch: '', reserved: 0 }
      seq = Math.max(reserved, highest)
      if (!(await reserve(seq + BLOCK)) && known) epoch = newEpoch()
    },
    async next() {
      const n = seq + 1
      const covered = epoch === persisted.epoch && n <= persisted.reserved
      if (!covered || persisted.reserved - n < BLOCK / 2) {
        const ok = await reserve(n + BLOCK)
        if (!ok && !covered && epoch === persisted.epoch) {
          epoch = newEpoch()
          onError('outbox: sequence moved to a new epoch (its reservation could not be written)')
        }
      }
      seq = n
      return { seq: n, epoch }
    },
  }
}
