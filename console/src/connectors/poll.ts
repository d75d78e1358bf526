// A polite poller: one request at a time, every intervalMs while the page
// is visible, backing off (doubling up to maxMs) while requests fail, and
// stopping for good when the server says the caller may not read it (401
// after the login form is shown, or 403).

import { ApiError } from '../api'

export interface PollerOptions<T> {
  load: (signal: AbortSignal) => Promise<T>
  onData: (v: T) => void
  onError?: (e: unknown, stopped: boolean) => void
  intervalMs?: number // zero means 5000
  maxMs?: number // zero means 60000
  /** Whether the page is visible; hidden pages are not polled (checked again next interval). */
  visible?: () => boolean
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (id: unknown) => void
}

/** Statuses that mean polling again cannot succeed. */
export const isRefusal = (e: unknown): boolean => e instanceof ApiError && (e.status === 401 || e.status === 403)

export class Poller<T> {
  private timer: unknown = null
  private abort: AbortController | null = null
  private stopped = true
  private failures = 0

  constructor(private o: PollerOptions<T>) {}

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    void this.run()
  }

  stop(): void {
    this.stopped = true
    this.abort?.abort()
    this.abort = null
    if (this.timer !== null) (this.o.clearTimer ?? ((id) => clearTimeout(id as ReturnType<typeof setTimeout>)))(this.timer)
    this.timer = null
  }

  /** Polls now, dropping a request in flight (after the page changed what it asks for). */
  now(): void {
    if (this.stopped) return
    if (this.timer !== null) (this.o.clearTimer ?? ((id) => clearTimeout(id as ReturnType<typeof setTimeout>)))(this.timer)
    this.timer = null
    this.abort?.abort()
    this.abort = null
    void this.run()
  }

  /** The wait before the next poll: the interval, doubled per failure in a row up to the maximum. */
  delay(): number {
    const base = this.o.intervalMs || 5000
    return Math.min(this.o.maxMs || 60_000, base * 2 ** Math.min(this.failures, 10))
  }

  private async run(): Promise<void> {
    this.timer = null
    if (this.stopped) return
    if (this.o.visible && !this.o.visible()) return this.schedule()
    const ac = new AbortController()
    this.abort = ac
    try {
      const v = await this.o.load(ac.signal)
      if (this.stopped || ac.signal.aborted) return
      this.failures = 0
      this.o.onData(v)
    } catch (e) {
      if (this.stopped || ac.signal.aborted) return
      this.failures++
      if (isRefusal(e)) this.stopped = true
      this.o.onError?.(e, this.stopped)
    } finally {
      if (this.abort === ac) this.abort = null
    }
    this.schedule()
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = (this.o.setTimer ?? setTimeout)(() => void this.run(), this.delay())
  }
}
