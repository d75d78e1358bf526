// LiveSession ties one view's websocket, store and frame scheduler together:
// messages fold into the store, the store marks what changed, and the view
// renders once per animation frame.

import type { View } from './protocol'
import { FrameScheduler, type FrameFn, type Part } from './state/frame'
import { markAckPending } from './state/room'
import { Store } from './state/store'
import type { ResumeBook } from './state/streamid'
import { LiveSocket } from './ws/client'

export interface SessionOptions {
  rooms: string[]
  view: View
  resume: ResumeBook
  render: (parts: ReadonlySet<Part>) => void
  onAuth?: () => void
  /** Extra websocket query parameters (a host link's `key`). */
  query?: Record<string, string>
  frame?: FrameFn
  tickMs?: number // zero means 250
}

export class LiveSession {
  readonly store: Store
  readonly socket: LiveSocket
  private scheduler: FrameScheduler
  private ticker: ReturnType<typeof setInterval> | null = null
  private wake = () => this.socket.reconnectNow()

  constructor(private o: SessionOptions) {
    this.scheduler = new FrameScheduler(o.render, o.frame)
    this.store = new Store({ rooms: o.rooms, resume: o.resume, changed: (...p) => this.scheduler.mark(...p) })
    this.socket = new LiveSocket({
      rooms: o.rooms,
      view: o.view,
      resume: o.resume,
      query: o.query,
      onEnvelope: (env) => this.store.handle(env),
      onConnecting: () => this.store.connecting(),
      onState: (s) => {
        this.store.setConn(s)
        if (s.status === 'auth') o.onAuth?.()
      },
    })
  }

  start(): void {
    this.socket.start()
    this.ticker = setInterval(() => this.store.tick(), this.o.tickMs || 250)
    window.addEventListener('online', this.wake)
    document.addEventListener('visibilitychange', this.wake)
    this.scheduler.mark('conn', 'metrics', 'cues', 'tier', 'alerts', 'comments')
  }

  stop(): void {
    this.socket.stop()
    if (this.ticker !== null) clearInterval(this.ticker)
    this.ticker = null
    window.removeEventListener('online', this.wake)
    document.removeEventListener('visibilitychange', this.wake)
  }

  /** Acknowledges a cue or alert for everyone in the room. */
  ack(room: string, key: string): void {
    const st = this.store.rooms.get(room)
    if (st) markAckPending(st, key)
    this.socket.send({ type: 'ack', room, data: { key } })
    this.scheduler.mark('alerts')
  }

  /** Asks for a render of parts (e.g. after a filter changed). */
  mark(...parts: Part[]): void {
    this.scheduler.mark(...parts)
  }
}
