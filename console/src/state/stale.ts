// Staleness: the dashboard must never show an old number without saying so.
// Data is stale while the socket is down, and when no metrics arrived for
// longer than the threshold although the socket is up.

export interface StaleInput {
  connected: boolean
  now: number
  /** When the socket went down (ms), if it is down. */
  disconnectedAt?: number
  /** When metrics last arrived, per room (ms; 0 = never). */
  lastMetricsAt: Record<string, number>
  /** When the view started waiting (ms), for rooms that never got metrics. */
  startedAt: number
  thresholdMs?: number // zero means 3000
}

export interface Staleness {
  stale: boolean
  reason: 'disconnected' | 'no-data' | null
  /** The time since which data is stale (ms), for "stale since HH:MM:SS". */
  since: number | null
  /** Rooms whose metrics are late (all rooms when disconnected). */
  rooms: string[]
}

export function staleness(inp: StaleInput): Staleness {
  const threshold = inp.thresholdMs || 3000
  const rooms = Object.keys(inp.lastMetricsAt)
  const oldest = rooms.reduce<number | null>((acc, r) => {
    const t = inp.lastMetricsAt[r] || inp.startedAt
    return acc === null || t < acc ? t : acc
  }, null)
  if (!inp.connected) {
    const since = oldest === null ? (inp.disconnectedAt ?? inp.now) : oldest
    return { stale: true, reason: 'disconnected', since, rooms }
  }
  const late = rooms.filter((r) => inp.now - (inp.lastMetricsAt[r] || inp.startedAt) > threshold)
  if (late.length === 0) return { stale: false, reason: null, since: null, rooms: [] }
  const since = Math.min(...late.map((r) => inp.lastMetricsAt[r] || inp.startedAt))
  return { stale: true, reason: 'no-data', since, rooms: late }
}
