// Freshness of a room's numbers: how long since each ingest source last
// delivered, and which numbers on screen are therefore not current.
//
// An age on screen is the server's age (measured on the server's clock when
// it made the snapshot) plus the time since the snapshot arrived here
// (measured on this client's clock). Neither clock is compared with the
// other, so a client clock that is minutes off still shows true ages, and
// the ages keep ticking between two snapshots. "Since" times are turned
// into this client's clock the same way, for "stale since HH:MM:SS".

import type { Snapshot } from '../protocol'

export interface SourceFreshness {
  name: string
  /** Seconds since the source's newest event arrived, now. */
  ageSeconds: number
  perMin: number
  stale: boolean
}

/** A number that is not current, and since when (client ms; null: unknown). */
export interface StaleMark {
  stale: boolean
  since: number | null
}

export interface Freshness {
  /** By name. */
  sources: SourceFreshness[]
  /** The server's stale-after in seconds; 0: the server does not say. */
  staleAfter: number
  /** No viewers event for longer than staleAfter (or every source silent). */
  online: StaleMark
  /** Every source silent for longer than staleAfter: no live number is current. */
  all: StaleMark
}

const FRESH: StaleMark = { stale: false, since: null }

/** Seconds old now: the server's age plus the time since the snapshot arrived (never negative). */
export function ageNow(ageSeconds: number, receivedAt: number, now: number): number {
  const a = Number.isFinite(ageSeconds) ? Math.max(0, ageSeconds) : 0
  return a + Math.max(0, now - receivedAt) / 1000
}

/** Stale by the server's word, or because the age crossed the limit since the snapshot arrived. */
export function isStale(serverStale: boolean, age: number, staleAfter: number): boolean {
  return serverStale || (staleAfter > 0 && age > staleAfter)
}

/**
 * The freshness of snapshot m, which arrived at receivedAt (client ms), as
 * of now (client ms).
 */
export function freshness(m: Snapshot | null | undefined, receivedAt: number, now: number): Freshness {
  if (!m || receivedAt <= 0) return { sources: [], staleAfter: 0, online: FRESH, all: FRESH }
  const staleAfter = m.stale_after_seconds > 0 ? m.stale_after_seconds : 0
  const entries = Object.entries(m.sources ?? {}).sort((a, b) => a[0].localeCompare(b[0]))
  const sources = entries.map(([name, s]): SourceFreshness => {
    const ageSeconds = ageNow(s.age_seconds, receivedAt, now)
    return { name, ageSeconds, perMin: s.per_min, stale: isStale(!!s.stale, ageSeconds, staleAfter) }
  })
  const all: StaleMark = sources.length > 0 && sources.every((s) => s.stale)
    ? { stale: true, since: arrivedAt(Math.min(...entries.map(([, s]) => s.age_seconds)), receivedAt) }
    : FRESH
  let online: StaleMark = FRESH
  const va = m.viewers_age_seconds
  if (Number.isFinite(va) && va >= 0) {
    const stale = isStale(!!m.online_stale, ageNow(va, receivedAt, now), staleAfter)
    online = { stale, since: stale ? arrivedAt(va, receivedAt) : null }
  } else if (m.online_stale) {
    online = { stale: true, since: null }
  }
  if (all.stale && !online.stale) online = all
  return { sources, staleAfter, online, all }
}

/** Client time (ms) an event arrived that was ageSeconds old when a snapshot arrived at receivedAt. */
function arrivedAt(ageSeconds: number, receivedAt: number): number {
  return Math.round(receivedAt - Math.max(0, ageSeconds) * 1000)
}

/**
 * The KPI cards (by id) that show a number that is not current: every one
 * when all sources are silent, else the online card when online is stale.
 */
export function staleKpis(f: Freshness, ids: readonly string[]): Map<string, number | null> {
  const out = new Map<string, number | null>()
  for (const id of ids) {
    if (f.all.stale) out.set(id, id === 'online' ? f.online.since : f.all.since)
    else if (id === 'online' && f.online.stale) out.set(id, f.online.since)
  }
  return out
}

export type AgeUnit = 's' | 'min' | 'h' | 'd'

/** An age in its largest whole unit: 59 → 59 s, 61 → 1 min, 7200 → 2 h, 2 days and more → d. */
export function ageBucket(seconds: number): { n: number; unit: AgeUnit } {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0))
  if (s < 60) return { n: s, unit: 's' }
  if (s < 3600) return { n: Math.floor(s / 60), unit: 'min' }
  if (s < 48 * 3600) return { n: Math.floor(s / 3600), unit: 'h' }
  return { n: Math.floor(s / 86400), unit: 'd' }
}
