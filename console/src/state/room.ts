// RoomState is everything the console knows about one room, and the
// functions that fold websocket messages into it: a snapshot replaces,
// deltas merge. The functions are pure of I/O and clocks (time is passed
// in), so they are unit-tested without a browser.

import {
  normalizeSnapshot,
  type Alert,
  type Comment,
  type Cue,
  type Envelope,
  type Signal,
  type Snapshot,
  type SnapshotData,
  type Tier,
} from '../protocol'
import type { Part } from './frame'
import { Ring } from './ring'
import { ResumeBook } from './streamid'
import { Series } from './series'

export const COMMENT_LIMIT = 500
export const ALERT_LIMIT = 100
export const GIFT_LIMIT = 50
export const MISSED_LIMIT = 20
export const CUE_LIMIT = 50

export interface ActiveCue {
  key: string
  cue: Cue
  id?: string
  rule?: string
  /** Server time (ms) the cue fired. */
  at: number
  /** Server time (ms) it expires; null: until acknowledged. */
  expiresAt: number | null
  /** Arrived in a resume replay: fired while this console was away. */
  missed: boolean
}

export interface AlertItem {
  key: string
  alert: Alert
  id?: string
  rule?: string
  at: number
  acked: boolean
  ackedBy?: string
  /** An ack was sent from this console and not yet confirmed. */
  ackPending: boolean
}

export interface RoomCharts {
  online: Series
  gmv: Series
  comments: Series
  /** Ad spend per minute, beside GMV per minute in the spend/GMV chart. */
  spend: Series
}

export interface RoomState {
  room: string
  metrics: Snapshot | null
  /** Client time (ms) the latest metrics arrived; 0 = never. */
  metricsAt: number
  tier: Tier | null
  tierAt: number
  cues: Map<string, ActiveCue>
  alerts: AlertItem[]
  comments: Ring<Comment>
  gifts: Ring<Signal>
  /** Cues that fired while the console was disconnected, newest last. */
  missed: ActiveCue[]
  charts: RoomCharts
  /** Totals of the previous metrics, to turn cumulative counters into per-minute buckets. */
  lastTotals: { gmv: number; comments: number; spend: number } | null
  /** Until the first snapshot after a (re)connect, signals are replays. */
  awaitingSnapshot: boolean
}

export function newRoomState(room: string): RoomState {
  return {
    room,
    metrics: null,
    metricsAt: 0,
    tier: null,
    tierAt: 0,
    cues: new Map(),
    alerts: [],
    comments: new Ring<Comment>(COMMENT_LIMIT),
    gifts: new Ring<Signal>(GIFT_LIMIT),
    missed: [],
    charts: {
      online: new Series(1000, 1800, 'last'), // 30 minutes at 1 s
      gmv: new Series(60_000, 720, 'sum'), // 12 hours at 1 min
      comments: new Series(60_000, 720, 'sum'),
      spend: new Series(60_000, 720, 'sum'),
    },
    lastTotals: null,
    awaitingSnapshot: true,
  }
}

/** Ctx is what the fold needs from outside: clocks and the resume book. */
export interface FoldCtx {
  /** Client time, ms. */
  now: number
  /** Server time, ms (client time corrected by the hello offset). */
  serverNow: number
  resume: ResumeBook
}

/** Applies one envelope; returns the parts that changed (empty: nothing). */
export function applyEnvelope(st: RoomState, env: Envelope, ctx: FoldCtx): Part[] {
  switch (env.type) {
    case 'snapshot':
      return applySnapshot(st, env.data as SnapshotData, ctx)
    case 'metrics':
      return applyMetrics(st, env.data as Snapshot, ctx)
    case 'comment':
      return applyComment(st, env.data as Comment)
    case 'cue':
    case 'tier':
    case 'alert':
    case 'gift':
    case 'ack':
    case 'withdraw':
      return applySignalEnvelope(st, env, ctx)
    default:
      return []
  }
}

export function applySnapshot(st: RoomState, d: SnapshotData, ctx: FoldCtx): Part[] {
  const parts: Part[] = ['metrics', 'tier', 'cues', 'alerts', 'comments']
  st.awaitingSnapshot = false
  if (d.metrics) {
    st.metrics = normalizeSnapshot(st.room, d.metrics)
    st.metricsAt = ctx.now
    recordOnline(st, st.metrics, ctx)
    // Per-minute buckets continue from these totals; history fills the past.
    st.lastTotals = { gmv: st.metrics.gmv, comments: st.metrics.comments, spend: st.metrics.spend }
  }
  st.tier = d.tier ?? null
  // Active cues: the snapshot is authoritative for what is live now; cues
  // replayed just before it (missed while away) stay in `missed`.
  const cues = new Map<string, ActiveCue>()
  for (const s of d.cues ?? []) {
    const c = toActiveCue(s, false)
    if (c) cues.set(c.key, c)
  }
  for (const [k, c] of st.cues) if (c.missed && !cues.has(k) && !expired(c, ctx.serverNow)) cues.set(k, c)
  st.cues = cues
  pruneCues(st, ctx.serverNow)
  // Alerts: keep what this console already knows (ack state), add the rest.
  const known = new Map(st.alerts.map((a) => [a.key, a]))
  const alerts: AlertItem[] = []
  for (const s of d.alerts ?? []) {
    if (!s.alert) continue
    const prev = known.get(s.alert.key)
    alerts.push(prev ?? toAlertItem(s))
    known.delete(s.alert.key)
  }
  for (const a of known.values()) alerts.push(a)
  st.alerts = sortAlerts(alerts).slice(0, ALERT_LIMIT)
  if (d.comments) {
    st.comments.clear()
    for (const c of [...d.comments].sort((a, b) => a.ts - b.ts)) st.comments.push(c)
  }
  for (const s of [...(d.cues ?? []), ...(d.alerts ?? [])]) if (s.id) ctx.resume.note(st.room, s.id)
  return parts
}

export function applyMetrics(st: RoomState, m: Snapshot, ctx: FoldCtx): Part[] {
  if (!m) return []
  // Metrics are coalesced by the server; an older one (by its fold seq) after
  // a newer one would only move the numbers backwards.
  if (st.metrics && m.seq && st.metrics.seq && m.seq < st.metrics.seq) return []
  const snap = normalizeSnapshot(st.room, m)
  const t = snap.as_of || ctx.serverNow
  if (st.lastTotals) {
    st.charts.gmv.record(t, snap.gmv - st.lastTotals.gmv)
    st.charts.comments.record(t, snap.comments - st.lastTotals.comments)
    st.charts.spend.record(t, snap.spend - st.lastTotals.spend)
  }
  st.lastTotals = { gmv: snap.gmv, comments: snap.comments, spend: snap.spend }
  st.metrics = snap
  st.metricsAt = ctx.now
  recordOnline(st, snap, ctx)
  return ['metrics']
}

function recordOnline(st: RoomState, m: Snapshot, ctx: FoldCtx): void {
  st.charts.online.record(m.as_of || ctx.serverNow, m.online)
}

export function applyComment(st: RoomState, c: Comment): Part[] {
  if (!c || typeof c.text !== 'string') return []
  st.comments.push(c)
  return ['comments']
}

function applySignalEnvelope(st: RoomState, env: Envelope, ctx: FoldCtx): Part[] {
  const s = env.data as Signal
  if (!s) return []
  const id = env.id ?? s.id
  if (id) {
    if (ctx.resume.seen(st.room, id)) return [] // replayed twice, or live after replay
    ctx.resume.note(st.room, id)
  }
  return applySignal(st, { ...s, id, kind: s.kind || env.type }, ctx.serverNow)
}

/** Applies a cue, tier, alert, gift or ack signal. */
export function applySignal(st: RoomState, s: Signal, serverNow: number): Part[] {
  const replay = st.awaitingSnapshot
  switch (s.kind) {
    case 'cue': {
      const c = toActiveCue(s, replay)
      if (!c) return []
      if (s.cue?.update) return updateCue(st, c)
      if (!expired(c, serverNow)) st.cues.set(c.key, c)
      if (replay) {
        st.missed = [...st.missed.filter((m) => m.key !== c.key), c].slice(-MISSED_LIMIT)
      }
      pruneCues(st, serverNow)
      return ['cues']
    }
    case 'tier':
      st.tier = s.tier ?? null
      st.tierAt = s.at
      return ['tier']
    case 'alert': {
      if (!s.alert) return []
      const item = toAlertItem(s)
      st.alerts = sortAlerts([item, ...st.alerts.filter((a) => a.key !== item.key)]).slice(0, ALERT_LIMIT)
      return ['alerts']
    }
    case 'gift':
      st.gifts.push(s)
      return ['gifts']
    case 'ack':
      return s.ack ? applyAck(st, s.ack.key, s.ack.by) : []
    case 'withdraw':
      return s.withdraw ? withdrawCue(st, s.withdraw.key) : []
    default:
      return []
  }
}

/** Marks key acknowledged: its cue leaves the queue, its alert shows who acked. */
export function applyAck(st: RoomState, key: string, by?: string): Part[] {
  const parts: Part[] = []
  if (st.cues.delete(key)) parts.push('cues')
  const before = st.missed.length
  st.missed = st.missed.filter((m) => m.key !== key)
  if (st.missed.length !== before && !parts.includes('cues')) parts.push('cues')
  for (const a of st.alerts) {
    if (a.key === key) {
      a.acked = true
      a.ackPending = false
      a.ackedBy = by
      if (!parts.includes('alerts')) parts.push('alerts')
    }
  }
  if (parts.includes('alerts')) st.alerts = sortAlerts(st.alerts)
  return parts
}

/** An edited cue's new text: replaces the cue of its key where it is still queued or missed; never queues it anew. */
function updateCue(st: RoomState, c: ActiveCue): Part[] {
  const shown = st.cues.get(c.key)
  if (shown) st.cues.set(c.key, { ...shown, cue: c.cue, id: c.id, expiresAt: c.expiresAt ?? shown.expiresAt })
  let missed = false
  st.missed = st.missed.map((m) => (m.key === c.key ? ((missed = true), { ...m, cue: c.cue }) : m))
  return shown || missed ? ['cues'] : []
}

/** Takes a superseded cue off the queue (and the missed list) without marking anything acknowledged. */
export function withdrawCue(st: RoomState, key: string): Part[] {
  const before = st.missed.length
  st.missed = st.missed.filter((m) => m.key !== key)
  return st.cues.delete(key) || st.missed.length !== before ? ['cues'] : []
}

/** Marks an ack as sent from this console (shown until the server confirms). */
export function markAckPending(st: RoomState, key: string): void {
  for (const a of st.alerts) if (a.key === key) a.ackPending = true
}

/** Drops expired cues; returns true if any went. */
export function pruneCues(st: RoomState, serverNow: number): boolean {
  let changed = false
  for (const [k, c] of st.cues) {
    if (expired(c, serverNow)) {
      st.cues.delete(k)
      changed = true
    }
  }
  if (st.cues.size > CUE_LIMIT) {
    for (const c of cueQueue(st).slice(CUE_LIMIT)) st.cues.delete(c.key)
    changed = true
  }
  return changed
}

/** Active cues in the order the host takes them: priority high first, then oldest first. */
export function cueQueue(st: RoomState): ActiveCue[] {
  return [...st.cues.values()].sort((a, b) => b.cue.priority - a.cue.priority || a.at - b.at)
}

/** Milliseconds left of a cue's time to live, null if it has none. */
export function cueRemaining(c: ActiveCue, serverNow: number): number | null {
  return c.expiresAt === null ? null : Math.max(0, c.expiresAt - serverNow)
}

function expired(c: ActiveCue, serverNow: number): boolean {
  return c.expiresAt !== null && c.expiresAt <= serverNow
}

function toActiveCue(s: Signal, missed: boolean): ActiveCue | null {
  if (!s.cue || !s.cue.key) return null
  const ttl = s.cue.ttl_ms ?? 0
  return {
    key: s.cue.key,
    cue: { ...s.cue, priority: s.cue.priority ?? 0 },
    id: s.id,
    rule: s.rule,
    at: s.at,
    expiresAt: ttl > 0 ? s.at + ttl : null,
    missed,
  }
}

function toAlertItem(s: Signal): AlertItem {
  const a = s.alert as Alert
  return { key: a.key, alert: a, id: s.id, rule: s.rule, at: s.at, acked: false, ackPending: false }
}

const severityRank: Record<string, number> = { critical: 0, warning: 1, info: 2 }

/** Unacknowledged first, then by severity, then newest first. */
export function sortAlerts(list: AlertItem[]): AlertItem[] {
  return [...list].sort(
    (a, b) =>
      Number(a.acked) - Number(b.acked) ||
      (severityRank[a.alert.severity] ?? 3) - (severityRank[b.alert.severity] ?? 3) ||
      b.at - a.at,
  )
}
