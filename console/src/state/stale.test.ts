import { describe, expect, it } from 'vitest'
import { staleness } from './stale'

describe('staleness', () => {
  const base = { startedAt: 0, thresholdMs: 3000 }

  it('is fresh when connected and metrics are recent', () => {
    expect(staleness({ ...base, connected: true, now: 10_000, lastMetricsAt: { r1: 8_000 } }).stale).toBe(false)
  })

  it('is stale after 3 s without metrics, since the last metrics', () => {
    const s = staleness({ ...base, connected: true, now: 12_000, lastMetricsAt: { r1: 8_000, r2: 11_000 } })
    expect(s).toMatchObject({ stale: true, reason: 'no-data', since: 8_000, rooms: ['r1'] })
  })

  it('counts from the start for a room that never had metrics', () => {
    const s = staleness({ ...base, startedAt: 1_000, connected: true, now: 5_000, lastMetricsAt: { r1: 0 } })
    expect(s).toMatchObject({ stale: true, since: 1_000 })
  })

  it('is stale at once when disconnected', () => {
    const s = staleness({ ...base, connected: false, disconnectedAt: 9_500, now: 9_600, lastMetricsAt: { r1: 9_400 } })
    expect(s).toMatchObject({ stale: true, reason: 'disconnected', since: 9_400 })
  })

  it('uses the disconnect time when there are no rooms', () => {
    const s = staleness({ ...base, connected: false, disconnectedAt: 5, now: 9, lastMetricsAt: {} })
    expect(s.since).toBe(5)
  })
})
