// Wire types of the LiveDeck websocket protocol (docs/websocket.md) and of
// the metrics snapshot (snapshot.go, signal.go). Field names are the JSON
// names the Go server sends; money is always integer minor units.

export interface Funnel {
  exposures: number
  clicks: number
  /** Cart adds; 0 from servers that predate the cart step. */
  carts: number
  orders: number
  paid: number
}

/** Each funnel step ÷ the one before (docs/paid-traffic.md). */
export interface FunnelRates {
  click: number
  cart: number
  order: number
  paid: number
}

/** One paid traffic channel: spend and the GMV of orders attributed to it. */
export interface ChannelStats {
  spend: number
  gmv: number
  orders: number
  roi: number
}

export interface SKUStats {
  exposures: number
  clicks: number
  ctr: number
  orders: number
  click_to_order: number
  units_sold: number
  gmv: number
  /** Left to sell, never below 0. */
  stock: number
  cart_adds: number
  cart_rate: number
  /** Units sold past the stock (超卖); stock is then 0. */
  oversold?: number
}

export interface KeywordCount {
  word: string
  count: number
}

/** One ingest source's freshness (connector, webhook, simulator, api), by arrival time. */
export interface SourceStats {
  /** Arrival of its newest event, Unix ms on the server's clock. */
  newest_ms: number
  /** Seconds since then, when the snapshot was made. */
  age_seconds: number
  /** Events in the last 60 s. */
  per_min: number
  /** Silent for longer than the snapshot's stale_after_seconds. */
  stale: boolean
}

export interface Snapshot {
  room: string
  seq: number
  last_id: string
  as_of: number
  online: number
  peak_online: number
  online_change_pct: number
  uv: number
  avg_watch_seconds: number
  comments: number
  likes: number
  follows: number
  shares: number
  gift_value: number
  comments_per_min: number
  intent_per_min: number
  questions_per_min: number
  abuse_per_min: number
  likes_per_min: number
  follows_per_min: number
  shares_per_min: number
  intent_change_pct: number
  abuse_change_pct: number
  gmv_per_min: number
  gmv_per_min_prev: number
  gmv_change_pct: number
  gmv: number
  orders_created: number
  orders_paid: number
  orders_cancelled: number
  orders_refunded: number
  buyers: number
  conversion: number
  uv_value: number
  aov: number
  funnel: Funnel
  funnel_rates: FunnelRates
  skus: Record<string, SKUStats>
  /** Ad spend reported, corrections applied, minor units. */
  spend: number
  /** Spend reported for the last 5 minutes ÷ 5. */
  spend_per_min: number
  /** GMV ÷ spend; 0 while nothing is spent. */
  roi: number
  /** GMV per 1,000 views. */
  gpm: number
  views: number
  cost_per_buyer: number
  cart_adds: number
  cart_rate: number
  channels?: Record<string, ChannelStats>
  keywords?: KeywordCount[]
  /** Seconds since the newest viewers event arrived; -1 if none. */
  viewers_age_seconds: number
  /** No viewers event for longer than stale_after_seconds: online is not current. */
  online_stale: boolean
  /** The server's --stale-after; 0 from servers that predate it. */
  stale_after_seconds: number
  sources?: Record<string, SourceStats>
}

export type CommentClass = 'intent' | 'question' | 'abuse' | ''

export interface Comment {
  id: string
  ts: number
  user_id: string
  nickname: string
  text: string
  class?: CommentClass
}

export interface Cue {
  key: string
  text: string
  priority: number
  ttl_ms?: number
  needs_ack?: boolean
  sku?: string
  kind?: string
  /** New text for the cue of this key, which fired before (its rule was edited): replaces it where it is shown, never shown on its own. */
  update?: boolean
}

export interface Tier {
  name: string
  coupon?: string
  threshold?: number
  discount?: number
  sku?: string
}

export interface Alert {
  key: string
  severity: 'info' | 'warning' | 'critical' | string
  message: string
  /** The message in other languages, by language (en, zh), when the rule gives them. */
  messages?: Record<string, string>
  /** The product the alert is about, if any. */
  sku?: string
}

export interface Gift {
  quota: string
  order_id: string
  user_id?: string
  sku?: string
  n: number
  /** Absent while the order holds its place; revoked: refunded, place passed on; refunded: kept (on_refund: keep). */
  status?: 'revoked' | 'refunded'
  refunded_at?: number
  /** The revoked order whose place this one took. */
  replaces?: string
}

export interface Ack {
  key: string
  by?: string
}

/** Takes the cue of `key` off the host's queue: a newer tier superseded what it said. */
export interface Withdraw {
  key: string
  reason?: string
  by?: string
}

export type SignalKind = 'cue' | 'tier' | 'alert' | 'gift' | 'ack' | 'withdraw'

export interface Signal {
  id?: string
  kind: SignalKind | string
  room: string
  rule?: string
  at: number
  cue?: Cue
  tier?: Tier | null
  alert?: Alert
  gift?: Gift
  ack?: Ack
  withdraw?: Withdraw
}

export interface SnapshotData {
  metrics: Snapshot | null
  tier: Tier | null
  cues: Signal[] | null
  alerts: Signal[] | null
  comments: Comment[] | null
}

export interface Hello {
  instance: string
  view: string
  rooms: string[]
  server_time: number
}

export type MessageType =
  | 'hello'
  | 'snapshot'
  | 'metrics'
  | 'comment'
  | 'cue'
  | 'tier'
  | 'alert'
  | 'gift'
  | 'ack'
  | 'withdraw'
  | 'health'
  | 'error'

export interface Envelope<T = unknown> {
  type: MessageType | string
  room?: string
  seq: number
  id?: string
  data: T
}

export type View = 'operator' | 'host' | 'producer'

/** The signal types: kept in the room's Redis stream, never coalesced, resumable. */
export const SIGNAL_TYPES: ReadonlySet<string> = new Set(['cue', 'tier', 'alert', 'gift', 'ack', 'withdraw'])

/** Close codes the server uses (docs/websocket.md). */
export const CloseCode = {
  GoingAway: 1001,
  TooSlow: 4000,
  Unauthenticated: 4001,
  Forbidden: 4003,
  UnknownRoom: 4004,
  Policy: 4008,
} as const

/** An empty snapshot, so views never have to test for missing fields. */
export function emptySnapshot(room: string): Snapshot {
  return {
    room, seq: 0, last_id: '', as_of: 0,
    online: 0, peak_online: 0, online_change_pct: 0, uv: 0, avg_watch_seconds: 0,
    comments: 0, likes: 0, follows: 0, shares: 0, gift_value: 0,
    comments_per_min: 0, intent_per_min: 0, questions_per_min: 0, abuse_per_min: 0,
    likes_per_min: 0, follows_per_min: 0, shares_per_min: 0,
    intent_change_pct: 0, abuse_change_pct: 0,
    gmv_per_min: 0, gmv_per_min_prev: 0, gmv_change_pct: 0, gmv: 0,
    orders_created: 0, orders_paid: 0, orders_cancelled: 0, orders_refunded: 0,
    buyers: 0, conversion: 0, uv_value: 0, aov: 0,
    funnel: { exposures: 0, clicks: 0, carts: 0, orders: 0, paid: 0 },
    funnel_rates: { click: 0, cart: 0, order: 0, paid: 0 },
    spend: 0, spend_per_min: 0, roi: 0, gpm: 0, views: 0, cost_per_buyer: 0, cart_adds: 0, cart_rate: 0, channels: {},
    skus: {}, keywords: [],
    viewers_age_seconds: -1, online_stale: false, stale_after_seconds: 0, sources: {},
  }
}

/** Fills fields a server left out (older builds, omitempty) with zeros. */
export function normalizeSnapshot(room: string, s: Partial<Snapshot> | null | undefined): Snapshot {
  const base = emptySnapshot(room)
  if (!s) return base
  const out = { ...base, ...s } as Snapshot
  out.funnel = { ...base.funnel, ...(s.funnel ?? {}) }
  out.funnel_rates = { ...base.funnel_rates, ...(s.funnel_rates ?? {}) }
  out.channels = s.channels ?? {}
  out.skus = s.skus ?? {}
  out.keywords = s.keywords ?? []
  out.sources = s.sources ?? {}
  return out
}
