/**
 * FIRST EPSS daily CSV (`cve,epss,percentile`, optionally preceded by a `#model_version:…` comment
 * line). Optional: findings carry `epss` only when a score is known.
 */
export type EpssParse = { ok: true; scores: Map<string, number> } | { ok: false; reason: string }

export function parseEpssCsv(text: string): EpssParse {
  const scores = new Map<string, number>()
  let header = false
  let line = 0
  for (const raw of text.split(/\r?\n/)) {
    line++
    const row = raw.trim()
    if (row === '' || row.startsWith('#')) continue
    const cols = row.split(',')
    if (!header) {
      if (cols[0] !== 'cve' || cols[1] !== 'epss') return { ok: false, reason: 'not an EPSS CSV (header)' }
      header = true
      continue
    }
    const [cve, epss] = cols
    const score = Number(epss)
    if (cve === undefined || !/^CVE-\d{4}-\d{4,}$/.test(cve) || !(score >= 0 && score <= 1)) {
      return { ok: false, reason: `line ${line}: malformed EPSS row "${row.slice(0, 80)}"` }
    }
    scores.set(cve, score)
  }
  if (!header) return { ok: false, reason: 'empty EPSS CSV' }
  return { ok: true, scores }
}
