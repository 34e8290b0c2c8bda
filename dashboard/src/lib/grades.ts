/** Posture distribution: how many devices hold each grade, and each grade's share of the fleet. */
import type { PostureGrade } from '@vigil/protocol'

export const GRADES: readonly PostureGrade[] = ['A', 'B', 'C', 'D', 'F', 'unknown']

export interface GradeBar {
  grade: PostureGrade
  count: number
  /** Share of all devices, 0–100 (rounded). */
  pct: number
}

export function gradeDistribution(postures: Iterable<{ grade: PostureGrade }>): {
  total: number
  bars: GradeBar[]
} {
  const counts = new Map<PostureGrade, number>(GRADES.map((g) => [g, 0]))
  let total = 0
  for (const p of postures) {
    counts.set(p.grade, (counts.get(p.grade) ?? 0) + 1)
    total++
  }
  const bars = GRADES.map((grade) => {
    const count = counts.get(grade) ?? 0
    return { grade, count, pct: total === 0 ? 0 : Math.round((count / total) * 100) }
  })
  return { total, bars }
}
