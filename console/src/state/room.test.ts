import { describe, expect, it } from 'vitest'
import type { Envelope, Signal, SnapshotData } from '../protocol'
import {
  applyEnvelope,
  COMMENT_LIMIT,
  cueQueue,
  cueRemaining,
  newRoomState,
  pruneCues,
  type FoldCtx,
} from './room'
import { ResumeBook } from './streamid'

const ctx = (over: Partial<FoldCtx> = {}): FoldCtx => ({ now: 1000, serverNow: 100_000, resume: new ResumeBook(), ...over })

function snapshot(data: Partial<SnapshotData>, seq = 1): Envelope {
  return { type: 'snapshot', room: 'r1', seq, data: { metrics: null, tier: null, cues: [], alerts: [], comments: [], ...data } }
}

function cue(id: string, key: string, at: number, extra: Partial<Signal['cue']> = {}): Envelope {
  const s: Signal = { id, kind: 'cue', room: 'r1', rule: 'rule-' + key, at, cue: { key, text: 'say ' + key, priority: 1, ...extra } }
  return { type: 'cue', room: 'r1', seq: 0, id, data: s }
}

function metrics(over: Record<string, unknown>): Envelope {
  return { type: 'metrics', room: 'r1', seq: 0, data: { room: 'r1', ...over } }
}

describe('snapshot then deltas', () => {
  it('a snapshot replaces metrics, tier, cues, alerts and comments', () => {
    const st = newRoomState('r1')
    const c = ctx()
    applyEnvelope(st, snapshot({
      metrics: { online: 10, gmv: 500, comments: 3, as_of: 99_000 } as never,
      tier: { name: 'T1', coupon: '满199减20' },
      cues: [cue('5-0', 'k1', 99_000).data as Signal],
      alerts: [{ id: '6-0', kind: 'alert', room: 'r1', at: 99_500, alert: { key: 'a1', severity: 'warning', message: 'drop' } }],
      comments: [{ id: 'c2', ts: 2, user_id: 'u', nickname: 'n', text: 'b' }, { id: 'c1', ts: 1, user_id: 'u', nickname: 'n', text: 'a' }],
    }), c)
    expect(st.metrics?.online).toBe(10)
    expect(st.metrics?.funnel).toEqual({ exposures: 0, clicks: 0, carts: 0, orders: 0, paid: 0 }) // filled in
    expect(st.tier?.coupon).toBe('满199减20')
    expect([...st.cues.keys()]).toEqual(['k1'])
    expect(st.alerts.map((a) => a.key)).toEqual(['a1'])
    expect(st.comments.toArray().map((x) => x.id)).toEqual(['c1', 'c2'])
    expect(st.awaitingSnapshot).toBe(false)
    expect(c.resume.last('r1')).toBe('6-0')
  })

  it('metrics deltas replace numbers and feed per-minute buckets from totals', () => {
    const st = newRoomState('r1')
    const c = ctx()
    applyEnvelope(st, snapshot({ metrics: { online: 10, gmv: 1000, comments: 5, as_of: 60_000 } as never }), c)
    applyEnvelope(st, metrics({ seq: 2, online: 12, gmv: 1500, comments: 7, as_of: 61_000 }), c)
    applyEnvelope(st, metrics({ seq: 3, online: 15, gmv: 1600, comments: 7, as_of: 121_000 }), c)
    expect(st.metrics?.online).toBe(15)
    expect(st.charts.gmv.points()).toEqual([[60_000, 500], [120_000, 100]])
    expect(st.charts.comments.points()).toEqual([[60_000, 2], [120_000, 0]])
    expect(st.charts.online.points()).toEqual([[60_000, 10], [61_000, 12], [121_000, 15]])
  })

  it('drops metrics older than the ones shown', () => {
    const st = newRoomState('r1')
    applyEnvelope(st, metrics({ seq: 10, online: 5 }), ctx())
    expect(applyEnvelope(st, metrics({ seq: 9, online: 1 }), ctx())).toEqual([])
    expect(st.metrics?.online).toBe(5)
  })

  it('bounds the comment feed', () => {
    const st = newRoomState('r1')
    for (let i = 0; i < COMMENT_LIMIT + 50; i++) {
      applyEnvelope(st, { type: 'comment', room: 'r1', seq: i, data: { id: 'c' + i, ts: i, user_id: 'u', nickname: 'n', text: 't' } }, ctx())
    }
    expect(st.comments.size).toBe(COMMENT_LIMIT)
    expect(st.comments.last()?.id).toBe('c' + (COMMENT_LIMIT + 49))
  })

  it('ignores unknown message types', () => {
    expect(applyEnvelope(newRoomState('r1'), { type: 'future', room: 'r1', seq: 1, data: {} }, ctx())).toEqual([])
  })
})

describe('signals and resume', () => {
  it('marks cues replayed before the snapshot as missed and keeps them through it', () => {
    const st = newRoomState('r1')
    const c = ctx({ serverNow: 100_000 })
    // Reconnect: replay first …
    applyEnvelope(st, cue('10-0', 'k1', 95_000, { ttl_ms: 60_000 }), c)
    applyEnvelope(st, cue('11-0', 'k2', 50_000, { ttl_ms: 1_000 }), c) // long expired
    // … then the snapshot, which no longer lists them.
    applyEnvelope(st, snapshot({ cues: [] }), c)
    expect(st.missed.map((m) => m.key)).toEqual(['k1', 'k2'])
    expect([...st.cues.keys()]).toEqual(['k1']) // still live, expired one not
    expect(c.resume.last('r1')).toBe('11-0')
    // Live cues after the snapshot are not "missed".
    applyEnvelope(st, cue('12-0', 'k3', 100_000), c)
    expect(st.cues.get('k3')?.missed).toBe(false)
    expect(st.missed.length).toBe(2)
  })

  it('applies each signal id once', () => {
    const st = newRoomState('r1')
    const c = ctx()
    applyEnvelope(st, snapshot({}), c)
    expect(applyEnvelope(st, cue('10-0', 'k1', 99_000), c)).toEqual(['cues'])
    expect(applyEnvelope(st, cue('10-0', 'k1', 99_000), c)).toEqual([])
    expect(applyEnvelope(st, cue('9-0', 'old', 99_000), c)).toEqual([])
    expect(st.cues.has('old')).toBe(false)
  })

  it('an ack removes the cue and marks the alert', () => {
    const st = newRoomState('r1')
    const c = ctx()
    applyEnvelope(st, snapshot({}), c)
    applyEnvelope(st, cue('1-0', 'k1', 99_000, { needs_ack: true }), c)
    applyEnvelope(st, { type: 'alert', room: 'r1', seq: 0, id: '2-0', data: { kind: 'alert', room: 'r1', at: 99_000, alert: { key: 'k1', severity: 'critical', message: 'm' } } }, c)
    const parts = applyEnvelope(st, { type: 'ack', room: 'r1', seq: 0, id: '3-0', data: { kind: 'ack', room: 'r1', at: 99_100, ack: { key: 'k1', by: 'alice' } } }, c)
    expect(parts).toEqual(['cues', 'alerts'])
    expect(st.cues.size).toBe(0)
    expect(st.alerts[0]).toMatchObject({ acked: true, ackedBy: 'alice' })
  })

  it('a withdrawal takes a superseded tier cue off the queue, acknowledging nothing', () => {
    const st = newRoomState('r1')
    const c = ctx()
    applyEnvelope(st, snapshot({}), c)
    applyEnvelope(st, cue('1-0', 'tier-500@1#1.1', 99_000, { text: '满199减20券已开' }), c)
    applyEnvelope(st, cue('2-0', 'tier-2000@1#1.1', 99_500, { text: '升级满199减50' }), c)
    const w = (id: string, key: string): Envelope => ({ type: 'withdraw', room: 'r1', seq: 0, id,
      data: { kind: 'withdraw', room: 'r1', at: 99_500, withdraw: { key, reason: 'superseded', by: 'tier-2000' } } })
    expect(applyEnvelope(st, w('3-0', 'tier-500@1#1.1'), c)).toEqual(['cues'])
    expect(cueQueue(st).map((q) => q.cue.text)).toEqual(['升级满199减50'])
    expect(applyEnvelope(st, w('4-0', 'never-shown'), c)).toEqual([])
  })

  it('an edited cue replaces the queued one under its key and never queues itself', () => {
    const st = newRoomState('r1')
    const c = ctx()
    applyEnvelope(st, snapshot({}), c)
    applyEnvelope(st, cue('1-0', 'k1', 99_000, { text: '满199减20卷已开', ttl_ms: 30_000 }), c)
    expect(applyEnvelope(st, cue('2-0', 'k1', 99_900, { text: '满199减20券已开', ttl_ms: 29_100, update: true }), c)).toEqual(['cues'])
    expect(cueQueue(st).map((q) => [q.key, q.cue.text, q.at, q.expiresAt])).toEqual([['k1', '满199减20券已开', 99_000, 129_000]])
    applyEnvelope(st, { type: 'ack', room: 'r1', seq: 0, id: '3-0', data: { kind: 'ack', room: 'r1', at: 99_950, ack: { key: 'k1' } } }, c)
    expect(applyEnvelope(st, cue('4-0', 'k1', 99_990, { text: 'again', update: true }), c)).toEqual([])
    expect(st.cues.size).toBe(0)
  })

  it('a replayed ack after its replayed cue leaves nothing to acknowledge', () => {
    const st = newRoomState('r1')
    const c = ctx()
    applyEnvelope(st, cue('1-0', 'k1', 99_000), c)
    applyEnvelope(st, { type: 'ack', room: 'r1', seq: 0, id: '2-0', data: { kind: 'ack', room: 'r1', at: 99_100, ack: { key: 'k1' } } }, c)
    applyEnvelope(st, snapshot({}), c)
    expect(st.cues.size).toBe(0)
    expect(st.missed.length).toBe(0)
  })

  it('tier signals set and clear the tier', () => {
    const st = newRoomState('r1')
    applyEnvelope(st, { type: 'tier', room: 'r1', seq: 0, id: '1-0', data: { kind: 'tier', room: 'r1', at: 1, tier: { name: 'T2', coupon: '满199减50' } } }, ctx())
    expect(st.tier?.name).toBe('T2')
    applyEnvelope(st, { type: 'tier', room: 'r1', seq: 0, id: '2-0', data: { kind: 'tier', room: 'r1', at: 2, tier: null } }, ctx())
    expect(st.tier).toBeNull()
  })

  it('orders cues by priority, then age, and expires them by TTL', () => {
    const st = newRoomState('r1')
    const c = ctx({ serverNow: 1_000 })
    applyEnvelope(st, snapshot({}), c)
    applyEnvelope(st, cue('1-0', 'low', 900, { priority: 1 }), c)
    applyEnvelope(st, cue('2-0', 'high-new', 950, { priority: 5, ttl_ms: 500 }), c)
    applyEnvelope(st, cue('3-0', 'high-old', 900, { priority: 5 }), c)
    expect(cueQueue(st).map((q) => q.key)).toEqual(['high-old', 'high-new', 'low'])
    expect(cueRemaining(st.cues.get('high-new')!, 1_000)).toBe(450)
    expect(cueRemaining(st.cues.get('low')!, 1_000)).toBeNull()
    expect(pruneCues(st, 1_450)).toBe(true)
    expect(cueQueue(st).map((q) => q.key)).toEqual(['high-old', 'low'])
  })

  it('sorts alerts: open first, then severity, then newest', () => {
    const st = newRoomState('r1')
    const c = ctx()
    const alert = (id: string, key: string, sev: string, at: number): Envelope => ({ type: 'alert', room: 'r1', seq: 0, id, data: { kind: 'alert', room: 'r1', at, alert: { key, severity: sev, message: key } } })
    applyEnvelope(st, alert('1-0', 'i', 'info', 3), c)
    applyEnvelope(st, alert('2-0', 'w', 'warning', 1), c)
    applyEnvelope(st, alert('3-0', 'c', 'critical', 2), c)
    applyEnvelope(st, alert('4-0', 'w2', 'warning', 4), c)
    applyEnvelope(st, { type: 'ack', room: 'r1', seq: 0, id: '5-0', data: { kind: 'ack', room: 'r1', at: 5, ack: { key: 'c' } } }, c)
    expect(st.alerts.map((a) => a.key)).toEqual(['w2', 'w', 'i', 'c'])
  })

  it('keeps gifts bounded', () => {
    const st = newRoomState('r1')
    const c = ctx()
    for (let i = 1; i <= 80; i++) {
      applyEnvelope(st, { type: 'gift', room: 'r1', seq: 0, id: `${i}-0`, data: { kind: 'gift', room: 'r1', at: i, gift: { quota: 'q', order_id: 'o' + i, n: i } } }, c)
    }
    expect(st.gifts.size).toBe(50)
    expect(st.gifts.last()?.gift?.n).toBe(80)
  })
})
