/**
 * Work done once across the cluster (issue 13 point 5): scheduled jobs run on the one hub that holds
 * the job's lease, and another hub takes the job over when that one dies.
 *
 * - Embedded engine: one hub, always the holder (`localJobs`).
 * - PostgreSQL (`pg-leases.ts`): a lease is a session-level advisory lock (`pg_try_advisory_lock`) on
 *   a dedicated connection. The lock dies with the connection, so `kill -9` of the holder frees it as
 *   soon as PostgreSQL sees the connection closed, and a hub that tries every lease interval takes it.
 *
 * A job's tick asks `holds(name)` (synchronous: it runs inside timers and request handlers) and does
 * nothing when another hub holds it. Which hub holds which job: `vigil_job_held{job}` and the log.
 */

/** The cluster-wide jobs. */
export const JOBS = [
  /** The feed sync scheduler (`feeds/service.ts` tick). Manual "sync now" runs where it is asked. */
  'feeds.sync',
  /** SLA and acceptance-expiry sweeps of the register (`register/plugin.ts`). */
  'register.sweep',
  /** Webhook deliveries (`webhooks/dispatcher.ts`). */
  'webhooks.deliver',
  /** The daily posture KPI snapshot (`posture/routes.ts`). */
  'posture.snapshot',
  /** Log retention on PostgreSQL (`store/postgres/pg-retention.ts`). */
  'store.retention',
  /** Auto-advance of rollout waves (`manifests/rollout.ts`): a wave is started once, by one hub. */
  'rollouts.advance',
  /**
   * Correlation's writes (`risk/correlation/cluster-follow.ts`): the holder alone turns correlation
   * results into findings, history and webhooks; every hub's engine follows every device and advisory.
   */
  'correlation',
] as const

export type JobName = (typeof JOBS)[number]

export interface Jobs {
  /** Whether this hub runs `name` now. */
  holds(name: JobName): boolean
  /** Runs `fn` if this hub holds `name` (answers undefined without running it otherwise). */
  runExclusive<R>(name: JobName, fn: () => R | Promise<R>): Promise<R | undefined>
  /** The jobs this hub holds. */
  held(): JobName[]
  /** Called with the job and whether this hub now holds it (taken or lost). */
  onChange(listener: (name: JobName, held: boolean) => void): () => void
  close(): Promise<void>
}

/** One hub (embedded engine): it holds every job. */
export function localJobs(): Jobs {
  return {
    holds: () => true,
    runExclusive: async (_name, fn) => fn(),
    held: () => [...JOBS],
    onChange: () => () => undefined,
    close: async () => undefined,
  }
}
