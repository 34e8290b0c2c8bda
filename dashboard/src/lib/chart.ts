/** Scales a time series into SVG path coordinates. Pure; the chart component only draws the result. */
export interface Point {
  t: number
  v: number
}

export interface PlotArea {
  width: number
  height: number
  /** Value range; `max` defaults to the largest value plus 20 % headroom (at least `min + 1`). */
  min: number
  max?: number
}

export function linePath(points: readonly Point[], area: PlotArea): string {
  if (points.length === 0) return ''
  const first = points[0]
  const last = points[points.length - 1]
  if (!first || !last) return ''
  const t0 = first.t
  const span = Math.max(1, last.t - t0)
  const max = area.max ?? Math.max(area.min + 1, ...points.map((p) => p.v * 1.2))
  const range = max - area.min || 1
  const x = (t: number) => ((t - t0) / span) * area.width
  const y = (v: number) =>
    area.height - ((Math.min(max, Math.max(area.min, v)) - area.min) / range) * area.height
  // One sample: a flat line at its value, so a fresh subscription shows something.
  if (points.length === 1) return `M0,${y(first.v).toFixed(1)} L${area.width},${y(first.v).toFixed(1)}`
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')
}
