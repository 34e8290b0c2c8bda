/**
 * The connection state shown to the operator, as a pure state machine so every transition is tested.
 *
 *   connecting   → never connected yet
 *   live         → transport up and data (events or server heartbeats) arrived within the stale window
 *   stale        → transport claims to be up, but nothing arrived for more than two intervals:
 *                  what is on screen may be old, so it is never shown as live
 *   reconnecting → transport lost, the client is retrying (the last picture stays, marked as old)
 *   offline      → the client gave up (e.g. the hub refused the session); `reason` says why
 */
export type ConnectionStatus = 'connecting' | 'live' | 'stale' | 'reconnecting' | 'offline'

export interface ConnectionSnapshot {
  status: ConnectionStatus
  /** Epoch ms of the last data received (event or heartbeat), null before the first. */
  lastDataAt: number | null
  /** Epoch ms of the last connect, null before the first. */
  connectedAt: number | null
  attempts: number
  reason: string | null
}

export interface MonitorOptions {
  intervalMs: number
  staleAfterIntervals: number
  /** Expected gap between server heartbeats until one is measured (0: none expected). */
  heartbeatMs?: number
}

type Transport = 'connecting' | 'up' | 'down' | 'refused'

export class ConnectionMonitor {
  private transport: Transport = 'connecting'
  private lastDataAt: number | null = null
  private lastHeartbeatAt: number | null = null
  private heartbeatGapMs: number
  private connectedAt: number | null = null
  private attempts = 0
  private reason: string | null = null

  constructor(private readonly opts: MonitorOptions) {
    this.heartbeatGapMs = opts.heartbeatMs ?? 0
  }

  /** The stale window: two stream intervals, or two server heartbeat gaps if the hub beats slower. */
  staleAfterMs(): number {
    return this.opts.staleAfterIntervals * Math.max(this.opts.intervalMs, this.heartbeatGapMs)
  }

  connected(now: number): void {
    this.transport = 'up'
    this.connectedAt = now
    this.attempts = 0
    this.reason = null
  }

  disconnected(reason: string): void {
    if (this.transport === 'refused') return
    this.transport = 'down'
    this.reason = reason
  }

  reconnectAttempt(attempt: number): void {
    if (this.transport === 'refused') return
    this.transport = 'down'
    this.attempts = attempt
  }

  /** The hub refused us or the client stopped retrying. */
  refused(reason: string): void {
    this.transport = 'refused'
    this.reason = reason
  }

  data(now: number): void {
    this.lastDataAt = now
  }

  heartbeat(now: number): void {
    if (this.lastHeartbeatAt !== null) this.heartbeatGapMs = now - this.lastHeartbeatAt
    this.lastHeartbeatAt = now
    this.lastDataAt = now
  }

  snapshot(now: number): ConnectionSnapshot {
    return {
      status: this.status(now),
      lastDataAt: this.lastDataAt,
      connectedAt: this.connectedAt,
      attempts: this.attempts,
      reason: this.reason,
    }
  }

  private status(now: number): ConnectionStatus {
    switch (this.transport) {
      case 'connecting':
        return 'connecting'
      case 'refused':
        return 'offline'
      case 'down':
        return this.connectedAt === null ? 'connecting' : 'reconnecting'
      case 'up': {
        const freshSince = Math.max(this.lastDataAt ?? 0, this.connectedAt ?? 0)
        return now - freshSince > this.staleAfterMs() ? 'stale' : 'live'
      }
    }
  }
}
