// Trend keeps a few samples of the headline numbers so each KPI card can
// show where its value went over the last minute (the change arrow). It
// samples at most every `everyMs` and keeps `windowMs` of samples: a dozen
// numbers per room, whatever the session length.

export type Values = Record<string, number>

export interface TrendOptions {
  everyMs?: number // zero means 5000
  windowMs?: number // zero means 60000
}

export class Trend {
  private samples: { t: number; v: Values }[] = []
  private every: number
  private window: number

  constructor(opts: TrendOptions = {}) {
    this.every = opts.everyMs || 5000
    this.window = opts.windowMs || 60_000
  }

  add(t: number, v: Values): void {
    const last = this.samples[this.samples.length - 1]
    if (last && t - last.t < this.every) return
    this.samples.push({ t, v: { ...v } })
    // Keep one sample at or before the window start, so a full minute is measurable.
    while (this.samples.length > 2 && this.samples[1].t <= t - this.window) this.samples.shift()
  }

  /** Change of key in percent against the sample about a window ago; null if unknown. */
  changePct(key: string, current: number): number | null {
    const base = this.samples[0]
    if (!base || !(key in base.v)) return null
    const b = base.v[key]
    if (b === 0) return current === 0 ? 0 : null
    return ((current - b) / Math.abs(b)) * 100
  }

  reset(): void {
    this.samples = []
  }
}

export type Direction = 'up' | 'down' | 'flat' | 'none'

/** Arrow direction for a change in percent; |change| under deadband is flat. */
export function direction(pct: number | null | undefined, deadband = 0.5): Direction {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return 'none'
  if (pct > deadband) return 'up'
  if (pct < -deadband) return 'down'
  return 'flat'
}
