import { describe, expect, it } from 'vitest'
import { normalizeSnapshot, type Snapshot, type SourceStats } from '../protocol'
import { ageBucket, ageNow, freshness, isStale, staleKpis } from './freshness'

const src = (age: number, stale = false, perMin = 0): SourceStats => ({ newest_ms: 0, age_seconds: age, per_min: perMin, stale })
const snap = (p: Partial<Snapshot>): Snapshot => normalizeSnapshot('r1', { stale_after_seconds: 30, ...p })
const IDS = ['gmv', 'online', 'uv']

describe('ageNow', () => {
  it('adds the time since the snapshot arrived to the server age', () => {
    expect(ageNow(3, 10_000, 10_000)).toBe(3)
    expect(ageNow(3, 10_000, 12_500)).toBe(5.5)
  })

  it('never goes negative, whatever the clocks say', () => {
    expect(ageNow(-0.2, 10_000, 10_000)).toBe(0) // server and Redis clocks a little apart
    expect(ageNow(3, 10_000, 9_000)).toBe(3) // client clock stepped back
    expect(ageNow(Number.NaN, 0, 0)).toBe(0)
  })
})

describe('ageBucket', () => {
  it.each([
    [0, 0, 's'], [2.9, 2, 's'], [59.9, 59, 's'], [60, 1, 'min'], [12 * 60 + 59, 12, 'min'],
    [3600, 1, 'h'], [47 * 3600, 47, 'h'], [48 * 3600, 2, 'd'], [-5, 0, 's'],
  ])('%s s → %s %s', (sec, n, unit) => {
    expect(ageBucket(sec)).toEqual({ n, unit })
  })
})

describe('isStale', () => {
  it('takes the server’s word, and the limit once the age crosses it', () => {
    expect(isStale(true, 1, 30)).toBe(true)
    expect(isStale(false, 30, 30)).toBe(false)
    expect(isStale(false, 30.1, 30)).toBe(true)
    expect(isStale(false, 999, 0)).toBe(false) // the server did not say its limit
  })
})

describe('freshness', () => {
  it('is empty and fresh before any metrics', () => {
    const f = freshness(null, 0, 5_000)
    expect(f).toMatchObject({ sources: [], staleAfter: 0, online: { stale: false }, all: { stale: false } })
    expect(freshness(snap({}), 0, 5_000).sources).toEqual([])
  })

  it('lists sources by name with ages that tick between snapshots', () => {
    const m = snap({ sources: { webhook: src(1, false, 7), connector: src(3, false, 120) } })
    const at = (now: number) => freshness(m, 100_000, now).sources.map((s) => [s.name, s.ageSeconds, s.perMin, s.stale])
    expect(at(100_000)).toEqual([['connector', 3, 120, false], ['webhook', 1, 7, false]])
    expect(at(104_000)).toEqual([['connector', 7, 120, false], ['webhook', 5, 7, false]])
  })

  it('marks a source stale once its age passes the limit, before the next snapshot says so', () => {
    const m = snap({ sources: { connector: src(29) } })
    expect(freshness(m, 100_000, 100_500).sources[0].stale).toBe(false)
    expect(freshness(m, 100_000, 101_500).sources[0].stale).toBe(true)
  })

  it('clears the marks as soon as fresh data arrives', () => {
    const old = snap({ sources: { connector: src(45, true) }, viewers_age_seconds: 45, online_stale: true })
    expect(freshness(old, 100_000, 100_000)).toMatchObject({ online: { stale: true }, all: { stale: true } })
    const fresh = snap({ sources: { connector: src(0.1) }, viewers_age_seconds: 0.1 })
    const f = freshness(fresh, 101_000, 101_000)
    expect(f).toMatchObject({ online: { stale: false, since: null }, all: { stale: false, since: null } })
    expect(f.sources[0].stale).toBe(false)
  })

  it('dates online staleness from the newest viewers event, on the client clock', () => {
    // The server's clock is irrelevant: only ages and the arrival time count.
    const m = snap({ viewers_age_seconds: 42.5, online_stale: true, as_of: 9_999_999_999_999 })
    expect(freshness(m, 100_000, 103_000).online).toEqual({ stale: true, since: 57_500 })
  })

  it('does not mark online stale when no viewers event ever came, unless the server does', () => {
    expect(freshness(snap({ viewers_age_seconds: -1 }), 100_000, 900_000).online.stale).toBe(false)
    expect(freshness(snap({ viewers_age_seconds: -1, online_stale: true }), 100_000, 100_000).online).toEqual({ stale: true, since: null })
  })

  it('is all stale only when every source is, since the newest of them', () => {
    const some = snap({ sources: { connector: src(60, true), webhook: src(2) } })
    expect(freshness(some, 100_000, 100_000).all.stale).toBe(false)
    const every = snap({ sources: { connector: src(60, true), webhook: src(40, true) }, viewers_age_seconds: -1 })
    const f = freshness(every, 100_000, 100_000)
    expect(f.all).toEqual({ stale: true, since: 60_000 })
    expect(f.online).toEqual({ stale: true, since: 60_000 }) // online is fed by a source too
  })
})

describe('staleKpis', () => {
  it('marks nothing when the data is current', () => {
    const f = freshness(snap({ sources: { connector: src(1) }, viewers_age_seconds: 1 }), 100_000, 100_000)
    expect([...staleKpis(f, IDS)]).toEqual([])
  })

  it('marks only the online card when only viewers went quiet', () => {
    const f = freshness(snap({ sources: { connector: src(1), webhook: src(50, true) }, viewers_age_seconds: 50, online_stale: true }), 100_000, 100_000)
    expect([...staleKpis(f, IDS)]).toEqual([['online', 50_000]])
  })

  it('marks every card when all sources are silent', () => {
    const f = freshness(snap({ sources: { connector: src(40, true) }, viewers_age_seconds: 90, online_stale: true }), 100_000, 100_000)
    expect([...staleKpis(f, IDS)]).toEqual([['gmv', 60_000], ['online', 10_000], ['uv', 60_000]])
  })

  it('marks every card once the last source crosses the limit between snapshots', () => {
    const f = (now: number) => freshness(snap({ sources: { connector: src(28), webhook: src(90, true) } }), 100_000, now)
    expect(staleKpis(f(101_000), IDS).size).toBe(0)
    expect([...staleKpis(f(103_000), IDS).keys()]).toEqual(IDS)
  })
})
