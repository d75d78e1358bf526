import { describe, expect, it } from 'vitest'
import { ApiError } from '../api'
import { Poller } from './poll'

/** A manual clock: timers run when the test says. */
function timers() {
  const queue: { fn: () => void; ms: number }[] = []
  return {
    queue,
    setTimer: (fn: () => void, ms: number) => { queue.push({ fn, ms }); return queue.length },
    clearTimer: () => { queue.length = 0 },
    fire: async () => { const t = queue.shift(); t?.fn(); await flush() },
  }
}
const flush = () => new Promise((r) => setTimeout(r, 0))

describe('poller', () => {
  it('polls every interval, backs off while failing, and recovers', async () => {
    const tm = timers()
    const answers: (number | Error)[] = [1, new Error('down'), new Error('down'), 2]
    const got: number[] = []
    const errors: string[] = []
    const p = new Poller<number>({
      load: async () => { const a = answers.shift()!; if (a instanceof Error) throw a; return a },
      onData: (v) => got.push(v), onError: (e) => errors.push((e as Error).message),
      intervalMs: 5000, maxMs: 15_000, setTimer: tm.setTimer, clearTimer: tm.clearTimer,
    })
    p.start()
    await flush()
    expect(got).toEqual([1])
    expect(tm.queue.map((x) => x.ms)).toEqual([5000])
    await tm.fire()
    expect(tm.queue.map((x) => x.ms)).toEqual([10_000])
    await tm.fire()
    expect(tm.queue.map((x) => x.ms)).toEqual([15_000]) // capped
    await tm.fire()
    expect(got).toEqual([1, 2])
    expect(errors).toEqual(['down', 'down'])
    expect(tm.queue.map((x) => x.ms)).toEqual([5000])
    p.stop()
    expect(tm.queue).toEqual([])
  })

  it('stops for good when the caller may not read it', async () => {
    const tm = timers()
    let calls = 0
    let stoppedSeen = false
    const p = new Poller({
      load: async () => { calls++; throw new ApiError(403, 'forbidden', 'no') },
      onData: () => {}, onError: (_e, stopped) => { stoppedSeen = stopped },
      setTimer: tm.setTimer, clearTimer: tm.clearTimer,
    })
    p.start()
    await flush()
    expect([calls, stoppedSeen, tm.queue.length]).toEqual([1, true, 0])
    p.now()
    await flush()
    expect(calls).toBe(1)
  })

  it('skips hidden pages and drops an answer overtaken by now()', async () => {
    const tm = timers()
    let visible = false
    const resolvers: ((v: string) => void)[] = []
    const got: string[] = []
    const p = new Poller<string>({
      load: (signal) => new Promise((resolve, reject) => { resolvers.push(resolve); signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))) }),
      onData: (v) => got.push(v), visible: () => visible, setTimer: tm.setTimer, clearTimer: tm.clearTimer,
    })
    p.start()
    await flush()
    expect(resolvers.length).toBe(0) // hidden: no request, checked again later
    expect(tm.queue.length).toBe(1)
    visible = true
    await tm.fire()
    expect(resolvers.length).toBe(1)
    p.now() // e.g. another room focused: the old request is dropped
    resolvers[0]('old')
    resolvers[1]('new')
    await flush()
    expect(got).toEqual(['new'])
    p.stop()
  })
})
