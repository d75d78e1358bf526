// Store holds the rooms of the current view and the connection state, folds
// envelopes into them, and tells the frame scheduler what changed.

import type { Envelope, Hello } from '../protocol'
import type { ConnState } from '../ws/client'
import type { Part } from './frame'
import { applyEnvelope, newRoomState, pruneCues, type RoomState } from './room'
import { staleness, type Staleness } from './stale'
import { ResumeBook } from './streamid'
import { Trend } from './trend'

export interface StoreOptions {
  rooms: string[]
  resume: ResumeBook
  now?: () => number
  /** Called with the parts that changed; normally FrameScheduler.mark. */
  changed: (...parts: Part[]) => void
}

/** A room's data health: "delayed" while the server cannot reach its data
 * (reason "redis") or the room's numbers stopped moving on ("processing"). */
export interface RoomHealth {
  status: 'ok' | 'delayed'
  reason?: 'redis' | 'processing'
  since?: number
}

export class Store {
  readonly rooms = new Map<string, RoomState>()
  readonly trends = new Map<string, Trend>()
  conn: ConnState = { status: 'idle', since: 0, attempt: 0, gaps: 0 }
  /** Client ms when the socket last stopped being open; undefined while open. */
  disconnectedAt?: number
  /** Server clock minus client clock (ms), from hello. */
  serverOffset = 0
  instance = ''
  readonly startedAt: number
  /** The latest `error` message from the server. */
  lastError: { message: string; at: number } | null = null
  /** Data health per room as the server reports it (never sent to the host view). */
  readonly health = new Map<string, RoomHealth>()
  /** Snapshots applied per room, so views can reload chart history after each. */
  snapshots = new Map<string, number>()

  constructor(private o: StoreOptions) {
    this.startedAt = this.now()
    for (const r of o.rooms) {
      this.rooms.set(r, newRoomState(r))
      this.trends.set(r, new Trend())
      this.snapshots.set(r, 0)
    }
  }

  now(): number {
    return this.o.now ? this.o.now() : Date.now()
  }

  serverNow(): number {
    return this.now() + this.serverOffset
  }

  get resume(): ResumeBook {
    return this.o.resume
  }

  /** Before every (re)connect: what arrives before a room's snapshot is a replay. */
  connecting(): void {
    for (const st of this.rooms.values()) st.awaitingSnapshot = true
  }

  setConn(s: Readonly<ConnState>): void {
    const wasOpen = this.conn.status === 'open'
    this.conn = { ...s }
    if (s.status === 'open') this.disconnectedAt = undefined
    else if (wasOpen || this.disconnectedAt === undefined) this.disconnectedAt = this.disconnectedAt ?? this.now()
    this.o.changed('conn')
  }

  handle(env: Envelope): void {
    if (env.type === 'hello') {
      const h = env.data as Hello
      if (h && typeof h.server_time === 'number') this.serverOffset = h.server_time - this.now()
      this.instance = h?.instance ?? ''
      this.o.changed('conn')
      return
    }
    if (env.type === 'error') {
      const d = env.data as { message?: string }
      this.lastError = { message: d?.message ?? 'error', at: this.now() }
      this.o.changed('conn')
      return
    }
    if (env.type === 'health') {
      const d = env.data as RoomHealth
      if (env.room && this.rooms.has(env.room) && d && (d.status === 'ok' || d.status === 'delayed')) {
        if (d.status === 'ok') this.health.delete(env.room)
        else this.health.set(env.room, { status: 'delayed', reason: d.reason, since: d.since })
        this.o.changed('conn')
      }
      return
    }
    const st = env.room ? this.rooms.get(env.room) : undefined
    if (!st) return
    const parts = applyEnvelope(st, env, { now: this.now(), serverNow: this.serverNow(), resume: this.o.resume })
    if (env.type === 'snapshot') this.snapshots.set(st.room, (this.snapshots.get(st.room) ?? 0) + 1)
    if (parts.includes('metrics') && st.metrics) {
      const m = st.metrics
      this.trends.get(st.room)?.add(this.now(), {
        gmv: m.gmv, online: m.online, uv: m.uv, conversion: m.conversion,
        uv_value: m.uv_value, aov: m.aov, orders_paid: m.orders_paid,
      })
    }
    if (parts.length) this.o.changed(...parts)
  }

  /** Periodic housekeeping: expire cues, re-evaluate staleness. */
  tick(): void {
    let cues = false
    for (const st of this.rooms.values()) cues = pruneCues(st, this.serverNow()) || cues
    if (cues) this.o.changed('cues')
    this.o.changed('tick')
  }

  /** The delayed rooms, the earliest since, and whether any is delayed because the server cannot reach its data. */
  delayed(): { rooms: string[]; since?: number; redis: boolean } {
    const rooms: string[] = []
    let since: number | undefined
    let redis = false
    for (const [r, h] of this.health) {
      rooms.push(r)
      if (h.since !== undefined && (since === undefined || h.since < since)) since = h.since
      redis = redis || h.reason === 'redis'
    }
    return { rooms: rooms.sort(), since, redis }
  }

  staleness(thresholdMs = 3000): Staleness {
    const last: Record<string, number> = {}
    for (const [r, st] of this.rooms) last[r] = st.metricsAt
    return staleness({
      connected: this.conn.status === 'open',
      now: this.now(),
      disconnectedAt: this.disconnectedAt,
      lastMetricsAt: last,
      startedAt: this.startedAt,
      thresholdMs,
    })
  }
}
