// The headline numbers a review reports, in the order the cards show them,
// and how each one and a change of it are written.

import { int, ratio } from '../format'
import type { MsgKey } from '../i18n'
import { duration, pp, signedInt, type MoneyFormat } from './numbers'
import type { Headline } from './shapes'

export type MetricKind = 'money' | 'int' | 'ratio' | 'duration' | 'times'

export interface Metric {
  /** data-testid suffix: review-kpi-<id>. */
  id: string
  key: keyof Headline
  label: MsgKey
  kind: MetricKind
  /** Whether more is better (a rise is green) or neither (the show's length). */
  better: 'up' | 'none'
}

export const HEADLINE_METRICS: readonly Metric[] = [
  { id: 'gmv', key: 'gmv', label: 'kpi.gmv', kind: 'money', better: 'up' },
  { id: 'orders', key: 'orders', label: 'kpi.orders', kind: 'int', better: 'up' },
  { id: 'uv', key: 'uv', label: 'kpi.uv', kind: 'int', better: 'up' },
  { id: 'peak-online', key: 'peak_online', label: 'review.peakOnline', kind: 'int', better: 'up' },
  { id: 'conversion', key: 'conversion', label: 'kpi.conversion', kind: 'ratio', better: 'up' },
  { id: 'uv-value', key: 'uv_value', label: 'kpi.uvValue', kind: 'money', better: 'up' },
  { id: 'aov', key: 'aov', label: 'kpi.aov', kind: 'money', better: 'up' },
  { id: 'duration', key: 'duration_seconds', label: 'review.duration', kind: 'duration', better: 'none' },
  { id: 'comments', key: 'comments', label: 'review.comments', kind: 'int', better: 'up' },
  { id: 'spend', key: 'spend', label: 'kpi.spend', kind: 'money', better: 'none' },
  { id: 'roi', key: 'roi', label: 'kpi.roi', kind: 'times', better: 'up' },
  { id: 'cart-rate', key: 'cart_rate', label: 'sku.cartRate', kind: 'ratio', better: 'up' },
]

type Fmt = (v: number, m: MoneyFormat) => string

/** Per kind, how a value and a change of it are written: money and counts signed, a rate's change in percentage points. */
const FORMATS: Record<MetricKind, { value: Fmt; change: Fmt }> = {
  money: { value: (v, m) => m.full(v), change: (v, m) => m.signed(v) },
  int: { value: (v) => int(v), change: (v) => signedInt(v) },
  ratio: { value: (v) => ratio(v), change: (v) => pp(v) },
  duration: { value: (v) => duration(v), change: (v) => (v > 0 ? '+' : v < 0 ? '-' : '') + duration(Math.abs(v)) },
  // A multiple such as ROI: 2.80, a change +0.35.
  times: { value: (v) => v.toFixed(2), change: (v) => (v > 0 ? '+' : '') + v.toFixed(2) },
}

export const formatValue = (kind: MetricKind, v: number, m: MoneyFormat): string => FORMATS[kind].value(v, m)

export const formatChange = (kind: MetricKind, change: number, m: MoneyFormat): string => FORMATS[kind].change(change, m)
