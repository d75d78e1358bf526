// Comparison deltas: each headline number of this show beside the earlier
// one, the change (the server's when it sent one) and the change relative
// to the earlier value, with whether it went the good way.

import { dirOf, type Dir } from './numbers'
import { HEADLINE_METRICS, type Metric } from './metrics'
import type { Headline } from './shapes'

export type Tone = 'good' | 'bad' | 'neutral'

export interface DeltaRow {
  metric: Metric
  now: number
  earlier: number
  /** now − earlier, in the metric's unit (a ratio for rates). */
  change: number
  /** change ÷ |earlier| in percent; null when the earlier value was 0. */
  pct: number | null
  dir: Dir
  tone: Tone
}

export function toneOf(metric: Metric, dir: Dir): Tone {
  if (metric.better === 'none' || dir === 'flat') return 'neutral'
  return dir === 'up' ? 'good' : 'bad'
}

export function headlineDeltas(now: Headline, earlier: Headline, change?: Partial<Headline>): DeltaRow[] {
  return HEADLINE_METRICS.map((metric) => {
    const a = now[metric.key]
    const b = earlier[metric.key]
    const sent = change?.[metric.key]
    const d = typeof sent === 'number' && Number.isFinite(sent) ? sent : a - b
    const dir = dirOf(d)
    return { metric, now: a, earlier: b, change: d, pct: b !== 0 ? (d / Math.abs(b)) * 100 : null, dir, tone: toneOf(metric, dir) }
  })
}
