// LiveSocket is the console's one websocket: it connects to /ws with the
// rooms, view and resume ids, reconnects with back-off and jitter, checks
// the per-connection seq for gaps, and reports its state. It knows nothing
// of rooms' contents: envelopes go to onEnvelope.

import { CloseCode, type Envelope, type View } from '../protocol'
import { backoffDelay, type BackoffOptions } from '../state/backoff'
import type { ResumeBook } from '../state/streamid'

export type ConnStatus =
  | 'idle'
  | 'connecting'
  | 'open' // socket open, hello/snapshot flowing
  | 'retrying' // closed, waiting to reconnect
  | 'auth' // 4001: waiting for a login
  | 'fatal' // 4003/4004/4008: reconnecting will not help
  | 'closed' // stopped by the app

export interface ConnState {
  status: ConnStatus
  /** Client ms of the last status change. */
  since: number
  attempt: number
  /** Client ms of the next reconnect, when retrying. */
  retryAt?: number
  closeCode?: number
  closeReason?: string
  /** Seq gaps seen on this page (a gap is a server bug; the client resyncs). */
  gaps: number
}

export interface WSLike {
  readyState: number
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
  onerror: ((ev: unknown) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export interface SocketOptions {
  rooms: string[]
  view: View
  resume: ResumeBook
  /** Extra query parameters, e.g. a host link's `key`. */
  query?: Record<string, string>
  /** Absolute ws(s):// base, e.g. "ws://host:8080"; defaults to the page's origin. */
  base?: string
  onEnvelope: (env: Envelope) => void
  onState?: (s: Readonly<ConnState>) => void
  /** Called on every (re)connect before any message, so state can expect a fresh snapshot. */
  onConnecting?: () => void
  WebSocket?: new (url: string) => WSLike
  setTimeout?: (fn: () => void, ms: number) => unknown
  clearTimeout?: (h: unknown) => void
  now?: () => number
  backoff?: BackoffOptions
  /** Pending client messages kept while disconnected; zero means 50. */
  outboxLimit?: number
}

const OPEN = 1

/** The /ws URL for rooms, view and resume ids. */
export function socketURL(base: string, rooms: string[], view: View, resume: string, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams()
  q.set('rooms', rooms.join(','))
  q.set('view', view)
  if (resume) q.set('resume', resume)
  for (const [k, v] of Object.entries(extra)) if (v) q.set(k, v)
  return `${base.replace(/\/$/, '')}/ws?${q.toString()}`
}

/** ws:// or wss:// for the page's own origin. */
export function originBase(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}`
}

export class LiveSocket {
  private ws: WSLike | null = null
  private timer: unknown = null
  private lastSeq = 0
  private outbox: string[] = []
  private stopped = false
  readonly state: ConnState

  constructor(private o: SocketOptions) {
    this.state = { status: 'idle', since: this.now(), attempt: 0, gaps: 0 }
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now()
  }

  start(): void {
    this.stopped = false
    this.connect()
  }

  /** Closes for good (route change, page unload). */
  stop(): void {
    this.stopped = true
    this.clearTimer()
    this.detach(1000, 'leaving')
    this.setStatus('closed')
  }

  /** Reconnects at once (after a login, or when the browser comes back online). */
  reconnectNow(): void {
    if (this.stopped) return
    if (this.state.status === 'open' || this.state.status === 'connecting') return
    this.clearTimer()
    this.connect()
  }

  /** Sends a client message; queued (bounded) while disconnected. */
  send(msg: unknown): void {
    const text = JSON.stringify(msg)
    if (this.ws && this.ws.readyState === OPEN && this.state.status === 'open') {
      this.ws.send(text)
      return
    }
    this.outbox.push(text)
    const limit = this.o.outboxLimit || 50
    if (this.outbox.length > limit) this.outbox.splice(0, this.outbox.length - limit)
  }

  private connect(): void {
    const WS = this.o.WebSocket ?? (globalThis.WebSocket as unknown as new (url: string) => WSLike)
    const base = this.o.base ?? originBase(location)
    const url = socketURL(base, this.o.rooms, this.o.view, this.o.resume.param(this.o.rooms), this.o.query)
    this.lastSeq = 0
    this.o.onConnecting?.()
    this.setStatus('connecting')
    let ws: WSLike
    try {
      ws = new WS(url)
    } catch {
      this.scheduleRetry()
      return
    }
    this.ws = ws
    ws.onopen = () => {
      if (this.ws !== ws) return
      this.setStatus('open')
      const queued = this.outbox
      this.outbox = []
      for (const m of queued) ws.send(m)
    }
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return
      this.onMessage(ev.data)
    }
    ws.onerror = () => {
      // The close event follows and decides what to do.
    }
    ws.onclose = (ev) => {
      if (this.ws !== ws) return
      this.ws = null
      this.onClose(ev.code, ev.reason)
    }
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return
    let env: Envelope
    try {
      env = JSON.parse(data) as Envelope
    } catch {
      return
    }
    if (!env || typeof env !== 'object' || typeof env.type !== 'string') return
    if (typeof env.seq === 'number') {
      if (this.lastSeq !== 0 && env.seq !== this.lastSeq + 1) {
        // A gap means a lost message: deliver what we have, then resync
        // with a fresh connection (resume replays signals, then a snapshot).
        this.state.gaps++
        this.lastSeq = env.seq
        this.o.onEnvelope(env)
        this.resync()
        return
      }
      this.lastSeq = env.seq
    }
    if (env.type === 'hello' || env.type === 'snapshot') {
      // A working connection: the next failure starts the back-off afresh.
      this.state.attempt = 0
    }
    this.o.onEnvelope(env)
  }

  private resync(): void {
    this.detach(4000, 'seq gap')
    this.clearTimer()
    this.connect()
  }

  /** Closes the current socket without letting its events reach us. */
  private detach(code: number, reason: string): void {
    const ws = this.ws
    this.ws = null
    if (!ws) return
    ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null
    try {
      ws.close(code, reason)
    } catch {
      // already closed
    }
  }

  private onClose(code: number, reason: string): void {
    this.state.closeCode = code
    this.state.closeReason = reason
    if (this.stopped) return
    if (code === CloseCode.Unauthenticated) {
      this.setStatus('auth')
      return
    }
    if (code === CloseCode.Forbidden || code === CloseCode.UnknownRoom || code === CloseCode.Policy) {
      this.setStatus('fatal')
      return
    }
    this.scheduleRetry()
  }

  private scheduleRetry(): void {
    const delay = backoffDelay(this.state.attempt, this.o.backoff)
    this.state.attempt++
    this.state.retryAt = this.now() + delay
    this.setStatus('retrying')
    const st = this.o.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms))
    this.timer = st(() => {
      this.timer = null
      if (!this.stopped) this.connect()
    }, delay)
  }

  private clearTimer(): void {
    if (this.timer === null) return
    const ct = this.o.clearTimeout ?? ((h: unknown) => clearTimeout(h as number))
    ct(this.timer)
    this.timer = null
  }

  private setStatus(s: ConnStatus): void {
    if (s !== 'retrying') this.state.retryAt = undefined
    if (this.state.status !== s) {
      this.state.status = s
      this.state.since = this.now()
    }
    this.o.onState?.(this.state)
  }
}
