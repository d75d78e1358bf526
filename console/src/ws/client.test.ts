import { describe, expect, it } from 'vitest'
import type { Envelope } from '../protocol'
import { ResumeBook } from '../state/streamid'
import { LiveSocket, originBase, socketURL, type ConnState, type WSLike } from './client'

class FakeWS implements WSLike {
  static all: FakeWS[] = []
  readyState = 0
  sent: string[] = []
  closed?: { code?: number; reason?: string }
  onopen: WSLike['onopen'] = null
  onmessage: WSLike['onmessage'] = null
  onclose: WSLike['onclose'] = null
  onerror: WSLike['onerror'] = null
  constructor(readonly url: string) {
    FakeWS.all.push(this)
  }
  send(d: string) {
    this.sent.push(d)
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason }
    this.readyState = 3
  }
  open() {
    this.readyState = 1
    this.onopen?.({})
  }
  msg(e: Partial<Envelope>) {
    this.onmessage?.({ data: JSON.stringify(e) })
  }
  drop(code = 1006, reason = '') {
    this.readyState = 3
    this.onclose?.({ code, reason })
  }
}

function setup(opts: { rooms?: string[]; resume?: ResumeBook } = {}) {
  FakeWS.all = []
  const timers: { fn: () => void; ms: number }[] = []
  const envs: Envelope[] = []
  const states: ConnState[] = []
  let connects = 0
  const sock = new LiveSocket({
    rooms: opts.rooms ?? ['r1', 'r2'],
    view: 'host',
    resume: opts.resume ?? new ResumeBook(),
    base: 'ws://example.test',
    onEnvelope: (e) => envs.push(e),
    onState: (s) => states.push({ ...s }),
    onConnecting: () => connects++,
    WebSocket: FakeWS,
    setTimeout: (fn, ms) => timers.push({ fn, ms }),
    clearTimeout: () => {},
    backoff: { random: () => 0.5 },
    now: () => 0,
  })
  return { sock, timers, envs, states, ws: () => FakeWS.all[FakeWS.all.length - 1], connects: () => connects }
}

describe('socketURL', () => {
  it('builds rooms, view and resume', () => {
    expect(socketURL('ws://h:1/', ['r1', 'r2'], 'operator', 'r1:5-0')).toBe('ws://h:1/ws?rooms=r1%2Cr2&view=operator&resume=r1%3A5-0')
    expect(socketURL('ws://h', ['r1'], 'host', '')).toBe('ws://h/ws?rooms=r1&view=host')
    expect(socketURL('ws://h', ['r1'], 'host', '', { key: 'hk_1', empty: '' })).toBe('ws://h/ws?rooms=r1&view=host&key=hk_1')
    expect(originBase({ protocol: 'https:', host: 'x.test' })).toBe('wss://x.test')
  })
})

describe('LiveSocket', () => {
  it('connects, delivers messages in order and reports open', () => {
    const t = setup()
    t.sock.start()
    t.ws().open()
    t.ws().msg({ type: 'hello', seq: 1, data: {} })
    t.ws().msg({ type: 'snapshot', room: 'r1', seq: 2, data: {} })
    expect(t.envs.map((e) => e.type)).toEqual(['hello', 'snapshot'])
    expect(t.sock.state.status).toBe('open')
    expect(t.ws().url).toContain('view=host')
  })

  it('reconnects with growing delays and passes resume ids', () => {
    const book = new ResumeBook()
    const t = setup({ resume: book })
    t.sock.start()
    t.ws().drop(1006)
    expect(t.sock.state.status).toBe('retrying')
    t.ws().drop(1006) // ignored: already replaced? no — same socket closed twice is a no-op
    expect(t.timers.map((x) => x.ms)).toEqual([375])
    book.note('r1', '42-0')
    t.timers[0].fn()
    expect(t.ws().url).toContain('resume=r1%3A42-0')
    t.ws().drop(1001)
    t.timers[1].fn()
    t.ws().drop(4000)
    expect(t.timers.map((x) => x.ms)).toEqual([375, 750, 1500])
    expect(t.connects()).toBe(3)
  })

  it('resets the back-off after a working connection', () => {
    const t = setup()
    t.sock.start()
    t.ws().drop()
    t.timers[0].fn()
    t.ws().drop()
    t.timers[1].fn()
    t.ws().open()
    t.ws().msg({ type: 'hello', seq: 1, data: {} })
    t.ws().drop()
    expect(t.timers.map((x) => x.ms)).toEqual([375, 750, 375])
  })

  it('stops on 4001 for a login and on 4004 for good', () => {
    const t = setup()
    t.sock.start()
    t.ws().drop(4001, 'login')
    expect(t.sock.state.status).toBe('auth')
    expect(t.timers.length).toBe(0)
    t.sock.reconnectNow()
    expect(t.sock.state.status).toBe('connecting')
    t.ws().drop(4004, 'no room')
    expect(t.sock.state.status).toBe('fatal')
    expect(t.sock.state.closeReason).toBe('no room')
    expect(t.timers.length).toBe(0)
  })

  it('detects a seq gap and resyncs with a new connection', () => {
    const t = setup()
    t.sock.start()
    const first = t.ws()
    first.open()
    first.msg({ type: 'hello', seq: 1, data: {} })
    first.msg({ type: 'metrics', room: 'r1', seq: 2, data: {} })
    first.msg({ type: 'metrics', room: 'r1', seq: 5, data: {} })
    expect(t.sock.state.gaps).toBe(1)
    expect(first.closed?.code).toBe(4000)
    expect(FakeWS.all.length).toBe(2)
    expect(t.envs.length).toBe(3)
    // The new connection starts its own seq at 1 without counting a gap.
    t.ws().open()
    t.ws().msg({ type: 'hello', seq: 1, data: {} })
    expect(t.sock.state.gaps).toBe(1)
  })

  it('queues client messages while down and flushes them on open', () => {
    const t = setup()
    t.sock.start()
    t.sock.send({ type: 'ack', room: 'r1', data: { key: 'k' } })
    expect(t.ws().sent).toEqual([])
    t.ws().open()
    expect(t.ws().sent).toEqual(['{"type":"ack","room":"r1","data":{"key":"k"}}'])
    t.sock.send({ type: 'ack', room: 'r1', data: { key: 'k2' } })
    expect(t.ws().sent.length).toBe(2)
  })

  it('ignores junk frames', () => {
    const t = setup()
    t.sock.start()
    t.ws().open()
    t.ws().onmessage?.({ data: 'not json' })
    t.ws().onmessage?.({ data: '42' })
    t.ws().onmessage?.({ data: new ArrayBuffer(2) })
    expect(t.envs.length).toBe(0)
  })

  it('stop closes without reconnecting', () => {
    const t = setup()
    t.sock.start()
    const ws = t.ws()
    t.sock.stop()
    expect(ws.closed?.code).toBe(1000)
    expect(t.sock.state.status).toBe('closed')
    expect(t.timers.length).toBe(0)
  })
})
