// Ring is a fixed-capacity FIFO: pushing past capacity drops the oldest
// item, so memory stays flat however long a broadcast runs.
export class Ring<T> {
  private buf: (T | undefined)[]
  private start = 0
  private len = 0
  /** Items pushed since creation (or clear); lets views detect new items cheaply. */
  total = 0

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new Error('ring capacity must be positive')
    this.buf = new Array(capacity)
  }

  get size(): number {
    return this.len
  }

  push(item: T): void {
    const end = (this.start + this.len) % this.capacity
    this.buf[end] = item
    if (this.len < this.capacity) this.len++
    else this.start = (this.start + 1) % this.capacity
    this.total++
  }

  /** Item i, oldest first; undefined when out of range. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.len) return undefined
    return this.buf[(this.start + i) % this.capacity]
  }

  last(): T | undefined {
    return this.at(this.len - 1)
  }

  clear(): void {
    this.buf = new Array(this.capacity)
    this.start = 0
    this.len = 0
    this.total = 0
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = new Array(this.len)
    for (let i = 0; i < this.len; i++) out[i] = this.buf[(this.start + i) % this.capacity] as T
    return out
  }

  /** Newest first, at most n items passing keep. */
  newest(n: number, keep: (item: T) => boolean = () => true): T[] {
    const out: T[] = []
    for (let i = this.len - 1; i >= 0 && out.length < n; i--) {
      const item = this.buf[(this.start + i) % this.capacity] as T
      if (keep(item)) out.push(item)
    }
    return out
  }
}
