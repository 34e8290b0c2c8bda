/**
 * The dashboard's settings in one place. It runs in a browser, so there is no environment to read:
 * everything is relative to the origin that served it (the hub).
 */
export const dashboardConfig = Object.freeze({
  apiBase: '/api/v1',
  socketPath: '/socket.io',
  /** Expected interval between updates on the live stream: agents report telemetry every 10 s. */
  streamIntervalMs: 10_000,
  /**
   * The hub's socket.io heartbeat (server `pingInterval`, 25 s by default) until a measured gap replaces
   * it: a quiet fleet sends no deltas, and heartbeats then are the data that proves the stream alive.
   */
  heartbeatMs: 25_000,
  /** Data older than this many intervals is shown as stale, never as live. */
  staleAfterIntervals: 2,
  reconnect: { delayMs: 1_000, delayMaxMs: 15_000, randomization: 0.5 },
  /** Height of one row in the virtualized tables, in CSS pixels (fixed, so windowing is exact). */
  rowHeight: 36,
  feedLimit: 200,
  telemetryPoints: 360,
})

export const staleAfterMs = (cfg = dashboardConfig): number => cfg.streamIntervalMs * cfg.staleAfterIntervals
