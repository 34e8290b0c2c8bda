/**
 * Log retention on PostgreSQL, by the embedded engine's rule: a log opened with `maxSegments` (the
 * audit log with VIGIL_AUDIT_RETENTION_SEGMENTS, `events` with 32) keeps at most `maxSegments` segments
 * of `maxSegmentBytes` each, i.e. its newest entries up to `maxSegments × maxSegmentBytes` bytes (an
 * entry counts its JSON text and the newline it would take in a segment file); older rows are deleted.
 * Run by one hub of the cluster (the `store.retention` job, `jobs/`).
 */
import type pg from 'pg'

/** Default segment size, as the embedded engine's logs (`append-log.ts`). */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024

export interface Retention {
  maxSegments: number
  maxSegmentBytes?: number
}

/** Deletes what each log keeps beyond its retention; answers the rows deleted per log. */
export async function pruneLogs(
  pool: pg.Pool,
  rules: Map<string, Retention>,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const [log, rule] of rules) {
    const keep = rule.maxSegments * (rule.maxSegmentBytes ?? DEFAULT_SEGMENT_BYTES)
    // The newest row past the budget, counted from the newest entry down; it and everything older go.
    const { rowCount } = await pool.query(
      `DELETE FROM vigil_logs WHERE log = $1 AND seq <= (
         SELECT seq FROM (
           SELECT seq, sum(octet_length(entry) + 1) OVER (ORDER BY seq DESC) AS total
           FROM vigil_logs WHERE log = $1
         ) newest WHERE total > $2 ORDER BY seq DESC LIMIT 1
       )`,
      [log, keep],
    )
    out[log] = rowCount ?? 0
  }
  return out
}
