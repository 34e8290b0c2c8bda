/**
 * Findings for a page (the whole fleet's unresolved ones, or one device's), fetched from the register and
 * fetched again, at most once a second, when the hub reports register changes (`finding:delta`).
 */

import type { FindingView } from '@vigil/protocol'
import { onBeforeUnmount, type Ref, ref, type ShallowRef, shallowRef, watch } from 'vue'
import { type FindingFilter, registerApi } from '../api/register.js'
import { errorText } from '../lib/errors.js'
import type { LiveClient } from './live.js'

export interface LiveFindings {
  findings: ShallowRef<FindingView[]>
  error: Ref<string>
  loaded: Ref<boolean>
  reload(): Promise<void>
}

export function useFindings(live: LiveClient, filter: () => FindingFilter): LiveFindings {
  const findings = shallowRef<FindingView[]>([])
  const error = ref('')
  const loaded = ref(false)
  let seq = 0
  const reload = async (): Promise<void> => {
    const mine = ++seq
    try {
      const res = await registerApi.findings(filter())
      if (mine !== seq) return
      findings.value = res.findings
      error.value = ''
    } catch (err) {
      if (mine === seq) error.value = errorText(err)
    } finally {
      if (mine === seq) loaded.value = true
    }
  }
  onFindingChanges(live, reload)
  watch(filter, () => void reload(), { immediate: true, deep: true })
  return { findings, error, loaded, reload }
}

/**
 * Calls `reload` at most once a second while the hub reports register changes. Every change counts, not
 * only the ones the live feed shows (KEV or critical, reopened, overdue): a decision taken elsewhere or a
 * resolved finding changes what the page lists too.
 */
export function onFindingChanges(live: LiveClient, reload: () => Promise<void>): void {
  let timer: ReturnType<typeof setTimeout> | undefined
  watch(live.findingChanges, () => {
    if (timer) return
    timer = setTimeout(() => {
      timer = undefined
      void reload()
    }, 1000)
  })
  onBeforeUnmount(() => clearTimeout(timer))
}

export interface FindingStats {
  bySeverity: Record<string, number>
  kev: number
  overdue: number
  review: number
  total: number
}

export function findingStats(findings: readonly FindingView[]): FindingStats {
  const s: FindingStats = { bySeverity: {}, kev: 0, overdue: 0, review: 0, total: 0 }
  for (const f of findings) {
    s.total++
    const sev = f.severity ?? 'unknown'
    s.bySeverity[sev] = (s.bySeverity[sev] ?? 0) + 1
    if (f.kev) s.kev++
    if (f.overdue) s.overdue++
    if (f.confidence === 'review') s.review++
  }
  return s
}
