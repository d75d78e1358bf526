import { describe, expect, it } from 'vitest'
import type { Part } from './frame'
import { Store } from './store'
import { ResumeBook } from './streamid'

function mk(rooms = ['r1']) {
  let now = 10_000
  const changed: Part[] = []
  const s = new Store({ rooms, resume: new ResumeBook(), now: () => now, changed: (...p) => changed.push(...p) })
  return { s, changed, at: (t: number) => (now = t) }
}

describe('Store', () => {
  it('takes the server clock offset from hello', () => {
    const { s } = mk()
    s.handle({ type: 'hello', seq: 1, data: { instance: 'a', view: 'host', rooms: ['r1'], server_time: 15_000 } })
    expect(s.serverOffset).toBe(5_000)
    expect(s.serverNow()).toBe(15_000)
    expect(s.instance).toBe('a')
  })

  it('routes envelopes to their room and reports changed parts', () => {
    const { s, changed } = mk(['r1', 'r2'])
    s.handle({ type: 'metrics', room: 'r2', seq: 2, data: { online: 7 } })
    s.handle({ type: 'metrics', room: 'nope', seq: 3, data: { online: 9 } })
    expect(s.rooms.get('r2')?.metrics?.online).toBe(7)
    expect(s.rooms.get('r1')?.metrics).toBeNull()
    expect(changed).toEqual(['metrics'])
  })

  it('keeps the server-reported data health per room', () => {
    const { s, changed } = mk(['r1', 'r2'])
    expect(s.delayed().rooms).toEqual([])
    s.handle({ type: 'health', room: 'r2', seq: 1, data: { status: 'delayed', reason: 'processing', since: 9_000 } })
    s.handle({ type: 'health', room: 'r1', seq: 2, data: { status: 'delayed', reason: 'redis', since: 8_000 } })
    s.handle({ type: 'health', room: 'nope', seq: 3, data: { status: 'delayed', reason: 'redis', since: 1 } })
    expect(s.delayed()).toEqual({ rooms: ['r1', 'r2'], since: 8_000, redis: true })
    s.handle({ type: 'health', room: 'r1', seq: 4, data: { status: 'ok' } })
    expect(s.delayed()).toEqual({ rooms: ['r2'], since: 9_000, redis: false })
    s.handle({ type: 'health', room: 'r2', seq: 5, data: { status: 'bogus' } })
    expect(s.delayed().rooms).toEqual(['r2'])
    s.handle({ type: 'health', room: 'r2', seq: 6, data: { status: 'ok' } })
    expect(s.delayed().rooms).toEqual([])
    expect(changed.filter((p) => p === 'conn')).toHaveLength(4)
  })

  it('is stale when disconnected and when metrics stop', () => {
    const { s, at } = mk()
    s.setConn({ status: 'open', since: 10_000, attempt: 0, gaps: 0 })
    s.handle({ type: 'metrics', room: 'r1', seq: 1, data: { online: 1 } })
    at(12_000)
    expect(s.staleness().stale).toBe(false)
    at(13_500)
    expect(s.staleness()).toMatchObject({ stale: true, reason: 'no-data', since: 10_000 })
    s.handle({ type: 'metrics', room: 'r1', seq: 2, data: { online: 2 } })
    expect(s.staleness().stale).toBe(false)
    s.setConn({ status: 'retrying', since: 13_500, attempt: 1, gaps: 0 })
    expect(s.disconnectedAt).toBe(13_500)
    at(14_000)
    s.setConn({ status: 'connecting', since: 14_000, attempt: 1, gaps: 0 })
    expect(s.disconnectedAt).toBe(13_500) // still since the first drop
    expect(s.staleness()).toMatchObject({ stale: true, reason: 'disconnected', since: 13_500 })
  })

  it('records the server error message', () => {
    const { s } = mk()
    s.handle({ type: 'error', seq: 4, data: { message: 'unknown key' } })
    expect(s.lastError?.message).toBe('unknown key')
  })

  it('marks rooms as awaiting a snapshot on every connect', () => {
    const { s } = mk()
    s.handle({ type: 'snapshot', room: 'r1', seq: 1, data: { metrics: null, tier: null, cues: [], alerts: [], comments: [] } })
    expect(s.rooms.get('r1')?.awaitingSnapshot).toBe(false)
    expect(s.snapshots.get('r1')).toBe(1)
    s.connecting()
    expect(s.rooms.get('r1')?.awaitingSnapshot).toBe(true)
  })

  it('expires cues on tick', () => {
    const { s, changed, at } = mk()
    s.handle({ type: 'snapshot', room: 'r1', seq: 1, data: { metrics: null, tier: null, alerts: [], comments: [], cues: [{ id: '1-0', kind: 'cue', room: 'r1', at: 10_000, cue: { key: 'k', text: 't', priority: 1, ttl_ms: 1000 } }] } })
    changed.length = 0
    at(11_500)
    s.tick()
    expect(s.rooms.get('r1')?.cues.size).toBe(0)
    expect(changed).toEqual(['cues', 'tick'])
  })
})
