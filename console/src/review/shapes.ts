// The review API's answer (review/review.go): the Go field names as JSON
// names, money in minor units, rates as ratios. Go writes an empty list as
// null and a missing number not at all, so reviewOf and comparisonOf fill
// every list and number: the views never meet null.

import type { ChannelStats, Funnel, KeywordCount, SKUStats } from '../protocol'

export interface Headline {
  gmv: number
  orders: number
  orders_created: number
  orders_cancelled: number
  orders_refunded: number
  uv: number
  buyers: number
  peak_online: number
  conversion: number
  uv_value: number
  aov: number
  avg_watch_seconds: number
  comments: number
  likes: number
  follows: number
  shares: number
  duration_seconds: number
  /** Ad spend, corrections applied. */
  spend: number
  /** GMV ÷ spend; 0 without spend. */
  roi: number
  cost_per_buyer: number
  cart_adds: number
  cart_rate: number
}

/** One paid traffic channel's spend and attributed GMV. */
export interface ChannelResult extends ChannelStats {
  channel: string
}

export interface Minute {
  t: number
  online: number
  gmv: number
  orders: number
  comments: number
  visitors: number
  buyers: number
}

export type MarkerKind = 'tier' | 'cue' | 'alert'

export interface Marker {
  t: number
  kind: MarkerKind | string
  rule?: string
  text: string
  severity?: string
  needs_ack?: boolean
  acked: boolean
  acked_by?: string
}

export interface TierResult {
  tier: string
  coupon?: string
  seconds: number
  orders: number
  gmv: number
  buyers: number
  visitors: number
  conversion: number
  gmv_per_min: number
  spend: number
  roi: number
  cart_adds: number
  cart_rate: number
}

export interface SKUResult extends SKUStats {
  sku: string
  name?: string
}

export interface TextCount {
  text: string
  count: number
}

export interface Abuse {
  comments: number
  users: number
  peak_per_min: number
}

export interface Window {
  conversion: number
  uv_value: number
  gmv_per_min: number
  roi: number
  cart_rate: number
}

export interface CueEffect {
  rule: string
  text: string
  firings: number
  acked: number
  /** Firings the averages cover: a firing needs some broadcast before and after it. */
  measured: number
  before: Window
  after: Window
  change: Window
}

export interface Review {
  room: string
  title?: string
  currency?: string
  status: 'live' | 'closed' | string
  built_at: number
  from: number
  to: number
  events: number
  partial: boolean
  window_min: number
  source: string
  rules?: string
  last_id?: string
  headline: Headline
  timeline: Minute[]
  markers: Marker[]
  tiers: TierResult[]
  channels: ChannelResult[]
  skus: SKUResult[]
  funnel: Funnel
  keywords: KeywordCount[]
  questions: TextCount[]
  abuse: Abuse
  cues: CueEffect[]
}

export interface Comparison {
  review: Review
  earlier: Review
  /** review − earlier per headline number, as far as the server sent it. */
  change?: Partial<Headline>
}

type Raw = Record<string, unknown>

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const obj = (v: unknown): Raw => (isObj(v) ? v : {})

/** An object with every listed key a finite number (0 when absent), other keys kept. */
function numbers<T>(v: unknown, keys: readonly string[]): T {
  const o = obj(v)
  const out: Raw = { ...o }
  for (const k of keys) out[k] = num(o[k])
  return out as T
}

/** A list of objects, each passed through fix; null and non-lists are empty. */
function list<T>(v: unknown, fix: (r: Raw) => T): T[] {
  return Array.isArray(v) ? v.filter(isObj).map(fix) : []
}

const HEADLINE_KEYS = ['gmv', 'orders', 'orders_created', 'orders_cancelled', 'orders_refunded', 'uv', 'buyers', 'peak_online',
  'conversion', 'uv_value', 'aov', 'avg_watch_seconds', 'comments', 'likes', 'follows', 'shares', 'duration_seconds',
  'spend', 'roi', 'cost_per_buyer', 'cart_adds', 'cart_rate'] as const
const MINUTE_KEYS = ['t', 'online', 'gmv', 'orders', 'comments', 'visitors', 'buyers'] as const
const TIER_KEYS = ['seconds', 'orders', 'gmv', 'buyers', 'visitors', 'conversion', 'gmv_per_min', 'spend', 'roi', 'cart_adds', 'cart_rate'] as const
const SKU_KEYS = ['exposures', 'clicks', 'ctr', 'orders', 'click_to_order', 'units_sold', 'gmv', 'stock', 'oversold', 'cart_adds', 'cart_rate'] as const
const WINDOW_KEYS = ['conversion', 'uv_value', 'gmv_per_min', 'roi', 'cart_rate'] as const
const CHANNEL_KEYS = ['spend', 'gmv', 'orders', 'roi'] as const

export const headlineOf = (v: unknown): Headline => numbers<Headline>(v, HEADLINE_KEYS)

const windowOf = (v: unknown): Window => numbers<Window>(v, WINDOW_KEYS)

const markerOf = (r: Raw): Marker => ({
  t: num(r.t), kind: str(r.kind), rule: str(r.rule), text: str(r.text), severity: str(r.severity),
  needs_ack: r.needs_ack === true, acked: r.acked === true, acked_by: str(r.acked_by),
})

const cueOf = (r: Raw): CueEffect => ({
  rule: str(r.rule), text: str(r.text), firings: num(r.firings), acked: num(r.acked),
  // A server without "measured" averaged over every firing.
  measured: typeof r.measured === 'number' ? num(r.measured) : num(r.firings),
  before: windowOf(r.before), after: windowOf(r.after), change: windowOf(r.change),
})

/** A complete Review from the server's JSON, or null when it is not one. */
export function reviewOf(body: unknown): Review | null {
  if (!isObj(body) || typeof body.room !== 'string') return null
  return {
    room: body.room,
    title: str(body.title),
    currency: str(body.currency),
    status: str(body.status) || 'closed',
    built_at: num(body.built_at),
    from: num(body.from),
    to: num(body.to),
    events: num(body.events),
    partial: body.partial === true,
    window_min: num(body.window_min),
    source: str(body.source),
    rules: str(body.rules),
    last_id: str(body.last_id),
    headline: headlineOf(body.headline),
    timeline: list(body.timeline, (r) => numbers<Minute>(r, MINUTE_KEYS)).sort((a, b) => a.t - b.t),
    markers: list(body.markers, markerOf).sort((a, b) => a.t - b.t),
    tiers: list(body.tiers, (r) => ({ ...numbers<TierResult>(r, TIER_KEYS), tier: str(r.tier), coupon: str(r.coupon) })),
    channels: list(body.channels, (r) => ({ ...numbers<ChannelResult>(r, CHANNEL_KEYS), channel: str(r.channel) })),
    skus: list(body.skus, (r) => ({ ...numbers<SKUResult>(r, SKU_KEYS), sku: str(r.sku), name: str(r.name) })),
    funnel: numbers<Funnel>(body.funnel, ['exposures', 'clicks', 'carts', 'orders', 'paid']),
    keywords: list(body.keywords, (r) => ({ word: str(r.word), count: num(r.count) })).filter((k) => k.word),
    questions: list(body.questions, (r) => ({ text: str(r.text), count: num(r.count) })).filter((q) => q.text),
    abuse: numbers<Abuse>(body.abuse, ['comments', 'users', 'peak_per_min']),
    cues: list(body.cues, cueOf),
  }
}

/** A Comparison from the server's JSON, or null when either review is missing. */
export function comparisonOf(body: unknown): Comparison | null {
  const o = obj(body)
  const review = reviewOf(o.review)
  const earlier = reviewOf(o.earlier)
  if (!review || !earlier) return null
  if (!isObj(o.change)) return { review, earlier }
  const sent = o.change
  const change = Object.fromEntries(HEADLINE_KEYS.filter((k) => typeof sent[k] === 'number' && Number.isFinite(sent[k])).map((k) => [k, sent[k]]))
  return { review, earlier, change }
}
