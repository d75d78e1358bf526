// Series is one chart's bounded time series, bucketed by step. History comes
// from GET /api/v1/rooms/{room}/series and live values from metrics deltas;
// at most `capacity` buckets are kept, so a 12-hour session draws as fast as
// its first minute. Times are Unix ms; uPlot wants seconds (see columns()).

export type Mode = 'last' | 'sum'

export class Series {
  private ts: number[] = []
  private vs: number[] = []
  /** Bumped on every change, so a chart redraws only when its data moved. */
  version = 0

  constructor(
    readonly stepMs: number,
    readonly capacity: number,
    readonly mode: Mode,
  ) {}

  get length(): number {
    return this.ts.length
  }

  /** Replaces the contents with history points [[ts_ms, value], ...]. */
  load(points: ReadonlyArray<readonly [number, number]>): void {
    this.ts = []
    this.vs = []
    const sorted = [...points].sort((a, b) => a[0] - b[0])
    for (const [t, v] of sorted) this.put(t, v, 'last')
    this.trim(true)
    this.version++
  }

  /** Records value v at time t: replaces the bucket ('last') or adds to it ('sum'). */
  record(t: number, v: number): void {
    if (!Number.isFinite(t) || !Number.isFinite(v)) return
    if (this.put(t, v, this.mode)) {
      this.trim(false)
      this.version++
    }
  }

  /** Newest value, or undefined. */
  latest(): number | undefined {
    return this.vs[this.vs.length - 1]
  }

  /** [seconds[], values[]] for uPlot. The arrays are fresh copies. */
  columns(): [number[], number[]] {
    return [this.ts.map((t) => t / 1000), this.vs.slice()]
  }

  points(): [number, number][] {
    return this.ts.map((t, i) => [t, this.vs[i]])
  }

  private put(t: number, v: number, mode: Mode): boolean {
    const b = Math.floor(t / this.stepMs) * this.stepMs
    const n = this.ts.length
    if (n === 0 || b > this.ts[n - 1]) {
      this.ts.push(b)
      this.vs.push(v)
      return true
    }
    // Late or same-bucket value: find its bucket from the end (usually the last).
    let i = n - 1
    while (i >= 0 && this.ts[i] > b) i--
    if (i >= 0 && this.ts[i] === b) {
      this.vs[i] = mode === 'sum' ? this.vs[i] + v : v
      return true
    }
    if (i < 0 && n >= this.capacity) return false // older than anything kept
    this.ts.splice(i + 1, 0, b)
    this.vs.splice(i + 1, 0, v)
    return true
  }

  // Trimming drops a quarter extra at once, so a full series costs one
  // splice per capacity/4 appends rather than a shift per append.
  private trim(exact: boolean): void {
    const n = this.ts.length
    const limit = exact ? this.capacity : this.capacity + Math.max(1, Math.floor(this.capacity / 4))
    if (n <= limit) return
    const drop = n - this.capacity
    this.ts.splice(0, drop)
    this.vs.splice(0, drop)
  }
}
