// Redis stream ids ("<ms>-<seq>") and the per-room resume bookkeeping: the
// console remembers the newest signal id it applied in each room and passes
// them as `resume=r1:<id>,r2:<id>` when it reconnects, so the server replays
// every cue, tier change and alert it missed.

/** Parses "<ms>-<seq>" (seq optional); null if it is not a stream id. */
export function parseStreamId(id: string): [number, number] | null {
  const m = /^(\d+)(?:-(\d+))?$/.exec(id)
  if (!m) return null
  return [Number(m[1]), m[2] === undefined ? 0 : Number(m[2])]
}

/** Orders stream ids numerically (not as strings: "9-0" < "10-0"). */
export function compareStreamIds(a: string, b: string): number {
  const pa = parseStreamId(a)
  const pb = parseStreamId(b)
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0
  return pa[0] - pb[0] || pa[1] - pb[1]
}

/** Storage is the part of window.sessionStorage the book uses. */
export interface KV {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

const STORAGE_KEY = 'livedeck.resume'

export class ResumeBook {
  private ids = new Map<string, string>()

  constructor(private store?: KV) {
    if (!store) return
    try {
      const raw = store.getItem(STORAGE_KEY)
      const obj = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
      for (const [room, id] of Object.entries(obj)) {
        if (typeof id === 'string' && parseStreamId(id)) this.ids.set(room, id)
      }
    } catch {
      // A corrupt entry only costs a replay; start empty.
    }
  }

  last(room: string): string | undefined {
    return this.ids.get(room)
  }

  /** True if id is newer than anything seen in room (and records it). */
  note(room: string, id: string): boolean {
    if (!parseStreamId(id)) return false
    const prev = this.ids.get(room)
    if (prev !== undefined && compareStreamIds(id, prev) <= 0) return false
    this.ids.set(room, id)
    this.save()
    return true
  }

  /** True if id was already applied in room (a duplicate of a replay). */
  seen(room: string, id: string): boolean {
    const prev = this.ids.get(room)
    return prev !== undefined && parseStreamId(id) !== null && compareStreamIds(id, prev) <= 0
  }

  /** The `resume` query value for rooms: "r1:<id>,r2:<id>", rooms without an id left out. */
  param(rooms: string[]): string {
    const parts: string[] = []
    for (const r of rooms) {
      const id = this.ids.get(r)
      if (id) parts.push(`${r}:${id}`)
    }
    return parts.join(',')
  }

  private save(): void {
    if (!this.store) return
    try {
      this.store.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(this.ids)))
    } catch {
      // Storage full or disabled: resume still works within this page.
    }
  }
}
