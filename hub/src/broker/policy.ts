/**
 * Broker policy: small pure functions, one per decision, each unit-tested. The embedded broker (aedes)
 * calls them from its `authenticate`, `authorizePublish` and `authorizeSubscribe` hooks.
 */
import { DEVICE_MESSAGES, type ParsedTopic, parseTopic, topics } from '@vigil/protocol'
import { secretMatches } from '../auth/crypto.js'
import type { RejectReason } from '../ingest/inbound.js'

export type { RejectReason }

export type Verdict = { ok: true } | { ok: false; reason: RejectReason; message: string }

const OK: Verdict = { ok: true }
const no = (reason: RejectReason, message: string): Verdict => ({ ok: false, reason, message })

/** What the policy needs to know about a device. */
export interface DeviceCredentials {
  secretHash: string
  disabled: boolean
}

/**
 * CONNECT: the username is the device id, the clientId must equal it (so one device cannot take over
 * another's session), the password is the device's secret (compared in constant time with its hash).
 */
export function authorizeConnect(input: {
  clientId: string
  username: string | undefined
  password: Buffer | undefined
  device: DeviceCredentials | undefined
}): Verdict {
  const { clientId, username, password, device } = input
  if (!username || !password || password.length === 0) return no('anonymous', 'credentials required')
  if (clientId !== username) return no('client-id', 'clientId must equal the username (device id)')
  if (!device) return no('unknown-device', 'unknown device')
  // Compare before looking at `disabled`, so timing does not tell a disabled device from a wrong secret.
  const matches = secretMatches(password, device.secretHash)
  if (!matches) return no('bad-password', 'wrong password')
  if (device.disabled) return no('disabled', 'device is disabled')
  return OK
}

/**
 * PUBLISH from a device: only under its own `vigil/v1/dev/<id>/`, only known message kinds, retained
 * only where the kind is retained (the birth/will state), and within the payload limit.
 */
export function authorizePublish(
  input: {
    clientId: string
    topic: string
    retain: boolean
    payloadBytes: number
    maxPayloadBytes: number
  },
  /** `parseTopic(input.topic)`, when the caller already holds it. */
  parsed: ParsedTopic | undefined = parseTopic(input.topic),
): Verdict {
  if (!parsed) {
    return input.topic.startsWith(`vigil/v1/dev/${input.clientId}/`)
      ? no('unknown-kind', `unknown message kind on ${input.topic}`)
      : no('foreign-topic', `may not publish on ${input.topic}`)
  }
  if (parsed.type !== 'device' || parsed.deviceId !== input.clientId) {
    return no('foreign-topic', `may not publish on ${input.topic}`)
  }
  if (input.retain && !DEVICE_MESSAGES[parsed.kind].retained) {
    return no('retain', `${parsed.kind} messages may not be retained`)
  }
  if (input.payloadBytes > input.maxPayloadBytes) {
    return no('oversize', `payload of ${input.payloadBytes} bytes exceeds ${input.maxPayloadBytes}`)
  }
  return OK
}

/** SUBSCRIBE from a device: its own command topic and the fleet-wide baseline topic. */
export function authorizeSubscribe(clientId: string, filter: string): boolean {
  try {
    return filter === topics.command(clientId) || filter === topics.baseline()
  } catch {
    return false
  }
}

/**
 * Per-device token bucket: `ratePerSec` sustained, `burst` at once. `take` answers how many ms the caller
 * must wait before the message may proceed (0 = now). Time is passed in, so tests need no clock.
 */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst
    this.last = now
  }

  /** Takes `cost` tokens (default 1); answers the milliseconds to wait before the taker may go on. */
  take(now: number, cost = 1): number {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.ratePerSec)
    this.last = Math.max(this.last, now)
    this.tokens -= cost
    if (this.tokens >= 0) return 0
    return Math.ceil((-this.tokens / this.ratePerSec) * 1000)
  }
}

/**
 * MQTT fixed-header scanner for the maximum packet size: fed the raw bytes of a connection, answers the
 * first packet length over the limit (before the packet body is buffered), or undefined.
 * [MQTT-2.2.3] Remaining Length is a variable byte integer of at most 4 bytes.
 */
export class PacketSizeGuard {
  private state: 'header' | 'length' | 'body' = 'header'
  private remaining = 0
  private multiplier = 1
  private lengthBytes = 0

  constructor(private readonly maxBytes: number) {}

  /** Answers the offending length, or -1 for a malformed length; undefined when all is within limits. */
  feed(chunk: Uint8Array): number | undefined {
    let i = 0
    while (i < chunk.length) {
      if (this.state === 'header') {
        i++
        this.state = 'length'
        this.remaining = 0
        this.multiplier = 1
        this.lengthBytes = 0
      } else if (this.state === 'length') {
        const byte = chunk[i++] ?? 0
        this.remaining += (byte & 0x7f) * this.multiplier
        this.multiplier *= 128
        this.lengthBytes++
        if (byte & 0x80) {
          if (this.lengthBytes >= 4) return -1
          continue
        }
        if (this.remaining + 1 + this.lengthBytes > this.maxBytes) return this.remaining
        this.state = this.remaining === 0 ? 'header' : 'body'
      } else {
        const take = Math.min(this.remaining, chunk.length - i)
        i += take
        this.remaining -= take
        if (this.remaining === 0) this.state = 'header'
      }
    }
    return undefined
  }
}
